import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { QualityCounts } from '../core/quality';
import type { SubmissionStatus } from '../core/submission';
import { documentClient } from './clients';
import { queryAll } from './query-all';

/**
 * Submission records: metadata about each upload and what became of it. No patient data:
 * counts, codes, row numbers and the trust's own pathway ids for rows in error.
 */

export interface RowProblem {
  readonly row: number;
  readonly pathwayId: string | null;
  readonly codes: readonly string[];
  readonly fields: readonly string[];
}

export interface SubmissionItem {
  readonly submissionId: string;
  readonly trust: string;
  readonly dataset: string;
  readonly period: string;
  readonly fileName: string;
  readonly bucket: string;
  readonly key: string;
  readonly receivedAt: string;
  readonly size: number;
  readonly status: SubmissionStatus;
  readonly updatedAt: string;
  readonly counts?: { total: number; valid: number; invalid: number };
  readonly warningCount?: number;
  readonly warnings?: ReadonlyArray<{ code: string; count: number }>;
  readonly firstErrors?: readonly RowProblem[];
  readonly report?: { json: string; csv: string };
  readonly rejection?: { code: string; message: string };
  /** Why a replay under later rules would reject this accepted file (it stays ACCEPTED). */
  readonly replayRejection?: { code: string; message: string; at: string };
  readonly failure?: { error: string; step?: string };
  readonly current?: boolean;
  readonly supersedes?: string;
  readonly supersededBy?: string;
  readonly counted?: Record<string, number>;
  /**
   * Set by Complete, after Publish alerts: the alerts this submission raised went out. Until
   * then a re-run of the submission publishes them again (see Evaluate).
   */
  readonly alertsPublished?: boolean;
  /** Data-quality counts per item over every row read (GET /quality); never a value. */
  readonly quality?: QualityCounts;
}

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ATTEMPTS = 8;

export type NewSubmission = Omit<SubmissionItem, 'status' | 'updatedAt'>;

export class SubmissionsRepository {
  constructor(private readonly table: string) {}

  /**
   * Creates the submission, or returns the existing one: a redelivered event must not reset a
   * submission that is being (or has been) processed.
   */
  async register(
    submission: NewSubmission,
  ): Promise<{ created: boolean; existing?: SubmissionItem }> {
    const now = new Date().toISOString();
    try {
      await documentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: { ...submission, status: 'RECEIVED', updatedAt: now },
          ConditionExpression: 'attribute_not_exists(submissionId)',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) && !isConditionFailure(error)) {
        throw error;
      }
      const existing = await this.get(submission.submissionId);
      return existing ? { created: false, existing } : { created: false };
    }
  }

  async get(submissionId: string): Promise<SubmissionItem | undefined> {
    const response = await documentClient().send(
      new GetCommand({ TableName: this.table, Key: { submissionId } }),
    );
    return response.Item as SubmissionItem | undefined;
  }

  /**
   * Several submissions by id, in no particular order; ids that do not exist are left out.
   * `attributes` narrows what is read (a projection), e.g. just the quality counts.
   */
  async getMany(
    submissionIds: readonly string[],
    attributes?: ReadonlyArray<keyof SubmissionItem>,
  ): Promise<SubmissionItem[]> {
    const unique = [...new Set(submissionIds)];
    const found: SubmissionItem[] = [];
    const projection = attributes?.length
      ? {
          ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(
            attributes.map((name, i) => [`#a${i}`, String(name)]),
          ),
        }
      : {};
    for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) {
      let keys: Record<string, unknown>[] | undefined = unique
        .slice(i, i + BATCH_GET_KEYS)
        .map((submissionId) => ({ submissionId }));
      for (let attempt = 0; keys && keys.length > 0; attempt += 1) {
        if (attempt >= BATCH_GET_ATTEMPTS) {
          throw new Error('DynamoDB kept returning unprocessed keys.');
        }
        const response = await documentClient().send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ...projection } } }),
        );
        found.push(...((response.Responses?.[this.table] ?? []) as SubmissionItem[]));
        keys = response.UnprocessedKeys?.[this.table]?.Keys as
          | Record<string, unknown>[]
          | undefined;
        // back off before retrying what DynamoDB throttled
        if (keys?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    return found;
  }

  /** Sets the status and any other fields given; `remove` clears stale fields from a retry. */
  async update(
    submissionId: string,
    status: SubmissionStatus,
    fields: Partial<Omit<SubmissionItem, 'submissionId' | 'status'>> = {},
    remove: ReadonlyArray<keyof SubmissionItem> = [],
  ): Promise<void> {
    const values: Record<string, unknown> = {
      ':status': status,
      ':updatedAt': new Date().toISOString(),
    };
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const sets = ['#status = :status', '#updatedAt = :updatedAt'];
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined || name === 'updatedAt') continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    const removals = remove.map((name) => {
      names[`#${String(name)}`] = String(name);
      return `#${String(name)}`;
    });
    await documentClient().send(
      new UpdateCommand({
        TableName: this.table,
        Key: { submissionId },
        UpdateExpression: `SET ${sets.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ConditionExpression: 'attribute_exists(submissionId)',
      }),
    );
  }

  /**
   * The earliest month a trust ever had an accepted file for (null if none): where its expected
   * submissions begin when no go-live month is configured. Reads the trust's whole index
   * partition (one small item a submission), paged.
   */
  async firstAcceptedPeriod(trust: string, dataset: string): Promise<string | null> {
    const items = await queryAll({
      TableName: this.table,
      IndexName: 'byTrust',
      KeyConditionExpression: '#trust = :trust',
      FilterExpression: '#status = :accepted AND #dataset = :dataset',
      ProjectionExpression: '#period',
      ExpressionAttributeNames: {
        '#trust': 'trust',
        '#status': 'status',
        '#dataset': 'dataset',
        '#period': 'period',
      },
      ExpressionAttributeValues: { ':trust': trust, ':accepted': 'ACCEPTED', ':dataset': dataset },
    });
    let first: string | null = null;
    for (const item of items) {
      const period = String(item.period);
      if (first === null || period < first) first = period;
    }
    return first;
  }

  /** A trust's submissions, newest first. */
  async listByTrust(trust: string, limit = 50): Promise<SubmissionItem[]> {
    const response = await documentClient().send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byTrust',
        KeyConditionExpression: '#trust = :trust',
        ExpressionAttributeNames: { '#trust': 'trust' },
        ExpressionAttributeValues: { ':trust': trust },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (response.Items ?? []) as SubmissionItem[];
  }
}

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}
