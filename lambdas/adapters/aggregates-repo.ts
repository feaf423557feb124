import {
  BatchWriteCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { STORED_STANDARDS, type StoredStandard } from '../core/config';
import { documentClient } from './clients';
import { isConditionFailure } from './submissions-repo';

/**
 * Aggregates are stored per submission ("contributions") beside a pointer to each trust's
 * current accepted submission for a period. Figures are always the sum of the current
 * submissions' contributions, so a superseding upload replaces, never adds, and a record
 * attributed to another trust (e.g. treated elsewhere) moves with the submission that carried it.
 *
 *   pk = cwt#{YYYY-MM}   sk = CURRENT#{ODS}                     → { submissionId, orderKey }
 *   pk = cwt#{YYYY-MM}   sk = SUB#{submissionId}#{standard}     → { cells: JSON [dim, trust, group, within, total][] }
 *   (one item per id of STORED_STANDARDS: headline standards, 62-day variants, backlog)
 */

export type Cell = [dimension: string, trust: string, group: string, within: number, total: number];

export interface Contribution {
  readonly period: string;
  /** A headline standard, a 62-day variant (`62d-treating`, `38d`, `24d`) or `backlog`. */
  readonly standard: StoredStandard;
  readonly submissionId: string;
  readonly submittingTrust: string;
  readonly cells: readonly Cell[];
}

export interface CurrentPointer {
  readonly trust: string;
  readonly submissionId: string;
  /** Upload order: event time, then the S3 sequencer (see Register). Later wins. */
  readonly orderKey: string;
}

const periodKey = (dataset: string, period: string) => `${dataset}#${period}`;
const contributionKey = (submissionId: string, standard: StoredStandard) =>
  `SUB#${submissionId}#${standard}`;

export class AggregatesRepository {
  constructor(
    private readonly table: string,
    private readonly dataset = 'cwt',
  ) {}

  /** Writes (or rewrites, identically) a submission's contributions. Idempotent. */
  async putContributions(
    period: string,
    submissionId: string,
    submittingTrust: string,
    cells: Partial<Record<StoredStandard, readonly Cell[]>>,
  ): Promise<void> {
    const items = STORED_STANDARDS.map((standard) => ({
      PutRequest: {
        Item: {
          pk: periodKey(this.dataset, period),
          sk: contributionKey(submissionId, standard),
          period,
          standard,
          submissionId,
          submittingTrust,
          cells: JSON.stringify(cells[standard] ?? []),
        },
      },
    }));
    await this.batchWrite(items);
  }

  async deleteContributions(period: string, submissionId: string): Promise<void> {
    await this.batchWrite(
      STORED_STANDARDS.map((standard) => ({
        DeleteRequest: {
          Key: {
            pk: periodKey(this.dataset, period),
            sk: contributionKey(submissionId, standard),
          },
        },
      })),
    );
  }

  /**
   * Makes this submission the trust's current one for the period unless a newer upload already
   * is (an older upload that finishes last must not replace a newer one). Ties on the order key
   * fall back to the submission id so every ordering converges on one winner.
   */
  async claimCurrent(
    period: string,
    pointer: CurrentPointer,
  ): Promise<{ current: true; previous?: CurrentPointer } | { current: false; holder?: string }> {
    try {
      const response = await documentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: periodKey(this.dataset, period),
            sk: `CURRENT#${pointer.trust}`,
            ...pointer,
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR orderKey < :orderKey OR (orderKey = :orderKey AND submissionId <= :submissionId)',
          ExpressionAttributeValues: {
            ':orderKey': pointer.orderKey,
            ':submissionId': pointer.submissionId,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = response.Attributes as CurrentPointer | undefined;
      return old && old.submissionId !== pointer.submissionId
        ? { current: true, previous: old }
        : { current: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const holder = (await this.currentPointers(period)).find((p) => p.trust === pointer.trust);
      return holder ? { current: false, holder: holder.submissionId } : { current: false };
    }
  }

  async currentPointers(period: string): Promise<CurrentPointer[]> {
    const items = await this.queryAll(period, 'CURRENT#');
    return items.map((item) => ({
      trust: String(item.trust),
      submissionId: String(item.submissionId),
      orderKey: String(item.orderKey),
    }));
  }

  /** The contributions of every trust's current submission for a period. */
  async currentContributions(period: string): Promise<Contribution[]> {
    const items = await this.queryAll(period);
    const current = new Set(
      items.filter((i) => String(i.sk).startsWith('CURRENT#')).map((i) => String(i.submissionId)),
    );
    return items
      .filter((i) => String(i.sk).startsWith('SUB#') && current.has(String(i.submissionId)))
      .map((i) => ({
        period: String(i.period),
        standard: i.standard as StoredStandard,
        submissionId: String(i.submissionId),
        submittingTrust: String(i.submittingTrust),
        cells: JSON.parse(String(i.cells)) as Cell[],
      }));
  }

  private async queryAll(period: string, prefix?: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const response = await documentClient().send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ExpressionAttributeValues: prefix
            ? { ':pk': periodKey(this.dataset, period), ':prefix': prefix }
            : { ':pk': periodKey(this.dataset, period) },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((response.Items ?? []) as Record<string, unknown>[]));
      startKey = response.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: Record<string, unknown>[] | undefined = requests.slice(i, i + 25);
      for (let attempt = 0; pending && pending.length > 0; attempt += 1) {
        if (attempt > 8) throw new Error('DynamoDB kept returning unprocessed items.');
        const response = await documentClient().send(
          new BatchWriteCommand({ RequestItems: { [this.table]: pending } }),
        );
        pending = response.UnprocessedItems?.[this.table] as Record<string, unknown>[] | undefined;
        if (pending?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }
}
