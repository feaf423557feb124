import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { STORED_STANDARDS, type StoredStandard } from '../core/config';
import type { PeriodVersion } from '../core/data-version';
import { documentClient } from './clients';
import { queryAll } from './query-all';
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
 *   pk = cwt#VERSIONS    sk = VERSIONS                          → { token#{YYYY-MM}: random token,
 *                                                                   change#{YYYY-MM}#{submissionId}: ms }
 *   (one item per dataset: the data versions the report API's cache is keyed by, see
 *   lambdas/core/data-version.ts; one strongly consistent GetItem tells a reader which periods
 *   changed)
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

/** One period's current contributions of one standard (see currentContributionsOf). */
export interface PeriodContributions {
  readonly period: string;
  readonly contributions: readonly Contribution[];
  /** False when a current pointer's item could not be read consistently (a racing claim). */
  readonly complete: boolean;
}

const periodKey = (dataset: string, period: string) => `${dataset}#${period}`;
const VERSIONS_SK = 'VERSIONS';
const versionsKey = (dataset: string) => ({ pk: `${dataset}#${VERSIONS_SK}`, sk: VERSIONS_SK });
const TOKEN_PREFIX = 'token#';
const CHANGE_PREFIX = 'change#';
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

  /**
   * Records that this submission is about to change the period's figures (its contributions,
   * the CURRENT pointer, clean-up). Until endChange, readers read the period afresh and cache
   * nothing. Idempotent; a retry refreshes the start time.
   */
  async beginChange(period: string, submissionId: string): Promise<void> {
    await documentClient().send(
      new UpdateCommand({
        TableName: this.table,
        Key: versionsKey(this.dataset),
        UpdateExpression: 'SET #change = :now',
        ExpressionAttributeNames: { '#change': `${CHANGE_PREFIX}${period}#${submissionId}` },
        ExpressionAttributeValues: { ':now': Date.now() },
      }),
    );
  }

  /**
   * Gives the period a new data version and removes this submission's change marker, in one
   * write: every figure cached under the old version is from before (or during) the change and
   * is never served again. Call it after the last write of the change; idempotent.
   */
  async endChange(period: string, submissionId: string): Promise<void> {
    await documentClient().send(
      new UpdateCommand({
        TableName: this.table,
        Key: versionsKey(this.dataset),
        UpdateExpression: 'SET #token = :token REMOVE #change',
        ExpressionAttributeNames: {
          '#token': `${TOKEN_PREFIX}${period}`,
          '#change': `${CHANGE_PREFIX}${period}#${submissionId}`,
        },
        ExpressionAttributeValues: { ':token': randomUUID() },
      }),
    );
  }

  /** Every period's data version (one strongly consistent GetItem of one small item). */
  async dataVersions(): Promise<Map<string, PeriodVersion>> {
    const response = await documentClient().send(
      new GetCommand({
        TableName: this.table,
        Key: versionsKey(this.dataset),
        ConsistentRead: true,
      }),
    );
    const versions = new Map<
      string,
      { token: string | null; changes: PeriodVersion['changes'][number][] }
    >();
    const of = (period: string) => {
      let version = versions.get(period);
      if (!version) {
        version = { token: null, changes: [] };
        versions.set(period, version);
      }
      return version;
    };
    for (const [name, value] of Object.entries(response.Item ?? {})) {
      if (name.startsWith(TOKEN_PREFIX)) {
        of(name.slice(TOKEN_PREFIX.length)).token = String(value);
      } else if (name.startsWith(CHANGE_PREFIX)) {
        const rest = name.slice(CHANGE_PREFIX.length);
        const split = rest.indexOf('#');
        of(rest.slice(0, split)).changes.push({
          submissionId: rest.slice(split + 1),
          startedAt: Number(value),
        });
      }
    }
    return versions;
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
    const items = await this.queryPeriod(period, 'CURRENT#');
    return items.map((item) => ({
      trust: String(item.trust),
      submissionId: String(item.submissionId),
      orderKey: String(item.orderKey),
    }));
  }

  /** The contributions of every trust's current submission for a period. */
  async currentContributions(period: string): Promise<Contribution[]> {
    const items = await this.queryPeriod(period);
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

  /**
   * The current contributions of ONE stored standard for some periods, read by key rather than
   * by reading each month's partition whole (every standard of every submission, superseded ones
   * included): each period's CURRENT pointers (one small Query each, in parallel), then only the
   * pointed-to `SUB#{id}#{standard}` items (BatchGetItem). Reads are strongly consistent so that
   * a caller that read a data version first (see dataVersions) never gets older figures.
   *
   * A pointer whose item is missing means a claim and its clean-up raced this read (the pointer
   * was read just before a newer upload claimed the period and deleted this one's items): the
   * period is read again, and reported `complete: false` if it still does not add up.
   */
  async currentContributionsOf(
    periods: readonly string[],
    standard: StoredStandard,
  ): Promise<PeriodContributions[]> {
    const results = new Map<string, PeriodContributions>();
    let pending = [...new Set(periods)];
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const pointers = await Promise.all(
        pending.map(async (period) => ({ period, pointers: await this.pointersOf(period) })),
      );
      const keys = pointers.flatMap(({ period, pointers: list }) =>
        list.map((p) => ({
          pk: periodKey(this.dataset, period),
          sk: contributionKey(p.submissionId, standard),
        })),
      );
      const items = await this.batchGet(keys);
      const retry: string[] = [];
      for (const { period, pointers: list } of pointers) {
        const contributions: Contribution[] = [];
        for (const pointer of list) {
          const item = items.get(
            `${periodKey(this.dataset, period)}|${contributionKey(pointer.submissionId, standard)}`,
          );
          if (!item) continue;
          contributions.push({
            period,
            standard,
            submissionId: pointer.submissionId,
            submittingTrust: String(item.submittingTrust),
            cells: JSON.parse(String(item.cells)) as Cell[],
          });
        }
        const complete = contributions.length === list.length;
        if (!complete && attempt < 2) retry.push(period);
        else results.set(period, { period, contributions, complete });
      }
      pending = retry;
    }
    return periods.map(
      (period) => results.get(period) ?? { period, contributions: [], complete: true },
    );
  }

  /** A period's CURRENT pointers: trust and submission id only, strongly consistent. */
  private async pointersOf(period: string): Promise<{ trust: string; submissionId: string }[]> {
    const items = await this.queryPeriod(period, 'CURRENT#', {
      ConsistentRead: true,
      ProjectionExpression: '#trust, #submissionId',
      ExpressionAttributeNames: { '#trust': 'trust', '#submissionId': 'submissionId' },
    });
    return items.map((item) => ({
      trust: String(item.trust),
      submissionId: String(item.submissionId),
    }));
  }

  /** BatchGetItem by key (100 a call, unprocessed keys retried), by `pk|sk`. */
  private async batchGet(
    keys: readonly { pk: string; sk: string }[],
  ): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    const chunks: { pk: string; sk: string }[][] = [];
    for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending: Record<string, unknown>[] | undefined = chunk;
        for (let attempt = 0; pending && pending.length > 0; attempt += 1) {
          if (attempt > 8) throw new Error('DynamoDB kept returning unprocessed keys.');
          if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
          const response: BatchGetCommandOutput = await documentClient().send(
            new BatchGetCommand({
              RequestItems: {
                [this.table]: {
                  Keys: pending,
                  ConsistentRead: true,
                  ProjectionExpression: '#pk, #sk, #submittingTrust, #cells',
                  ExpressionAttributeNames: {
                    '#pk': 'pk',
                    '#sk': 'sk',
                    '#submittingTrust': 'submittingTrust',
                    '#cells': 'cells',
                  },
                },
              },
            }),
          );
          for (const item of response.Responses?.[this.table] ?? []) {
            found.set(`${String(item.pk)}|${String(item.sk)}`, item);
          }
          pending = response.UnprocessedKeys?.[this.table]?.Keys;
        }
      }),
    );
    return found;
  }

  private async queryPeriod(
    period: string,
    prefix?: string,
    options: Pick<
      QueryCommandInput,
      'ConsistentRead' | 'ProjectionExpression' | 'ExpressionAttributeNames'
    > = {},
  ): Promise<Record<string, unknown>[]> {
    return queryAll({
      TableName: this.table,
      KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: prefix
        ? { ':pk': periodKey(this.dataset, period), ':prefix': prefix }
        : { ':pk': periodKey(this.dataset, period) },
      ...options,
    });
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
