import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './clients';
import { queryAll } from './query-all';
import { isConditionFailure } from './submissions-repo';

/**
 * Alerts already raised, so that redelivered events, retried executions, re-uploads and repeated
 * scheduled checks never publish the same alert twice. One item per alert, in the partition of
 * the period it is about; the sort key starts with the kind, then what tells alerts of that kind
 * apart:
 *
 *   pk = {dataset}#{YYYY-MM}
 *   sk = standard-breach#{standard}#{trust}
 *        special-cause#{standard}#{trust}
 *        inequality-gap#{standard}#{trust}#{dimension}#{group}
 *        missing-submission#{trust}
 *
 * Later evaluations that raise the same alert only refresh its figures (`fingerprint`,
 * `message`), which the API shows; they do not page anyone again. A breach whose figure comes
 * back to target is marked `resolved` with the figures that resolved it; the resolution is
 * announced once, even if the figure later falls and recovers again (a fall after a resolution
 * re-opens the record quietly: `status` open, `reopenedAt`).
 */
export interface AlertRecord {
  readonly period: string;
  readonly kind: string;
  /** The sort key after the kind (see above). */
  readonly key: string;
  readonly standard: string | null;
  readonly trust: string;
  readonly fingerprint: string;
  readonly raisedAt: string;
  readonly message: Record<string, unknown>;
}

export type AlertStatus = 'open' | 'resolved';

export interface StoredAlert extends AlertRecord {
  readonly status: AlertStatus;
  readonly updatedAt: string;
  readonly resolvedAt: string | null;
  readonly resolution: Record<string, unknown> | null;
  readonly reopenedAt: string | null;
}

export interface Resolution {
  readonly at: string;
  readonly fingerprint: string;
  /** What resolved it: the figures and threshold. */
  readonly resolution: Record<string, unknown>;
}

export class AlertsRepository {
  constructor(
    private readonly table: string,
    private readonly dataset = 'cwt',
  ) {}

  private keyOf(period: string, kind: string, key: string) {
    return { pk: `${this.dataset}#${period}`, sk: `${kind}#${key}` };
  }

  /**
   * Records each alert raised now and returns those not raised before: the ones to publish.
   * Sequential on purpose: a handful per evaluation, and each is one conditional write.
   */
  async recordNew<T extends Omit<AlertRecord, 'raisedAt'>>(
    alerts: readonly T[],
    raisedAt: string,
    options: { raisedBy?: string } = {},
  ): Promise<T[]> {
    const fresh: T[] = [];
    for (const alert of alerts) {
      const { period, kind, key, standard, trust, fingerprint, message } = alert;
      const record = { period, kind, key, standard, trust, fingerprint, message, raisedAt };
      if (await this.recordIfNew(record, options.raisedBy)) fresh.push(alert);
    }
    return fresh;
  }

  /**
   * The `kind#key` of the period's alerts first recorded by this submission: what a re-run of a
   * submission whose earlier attempt failed before publishing must send again.
   */
  async raisedBy(period: string, submissionId: string): Promise<Set<string>> {
    const items = await queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'raisedBy = :submissionId',
      ExpressionAttributeValues: {
        ':pk': `${this.dataset}#${period}`,
        ':submissionId': submissionId,
      },
    });
    return new Set(items.map((item) => String(item.sk)));
  }

  /**
   * Records the alert; false when it was already raised (its figures are refreshed). `raisedBy`
   * names the submission whose evaluation raised it first.
   */
  async recordIfNew(alert: AlertRecord, raisedBy?: string): Promise<boolean> {
    const key = this.keyOf(alert.period, alert.kind, alert.key);
    try {
      await documentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key,
            ...alert,
            ...(raisedBy ? { raisedBy } : {}),
            status: 'open',
            updatedAt: alert.raisedAt,
            message: JSON.stringify(alert.message),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const old = await documentClient().send(
      new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression:
          'SET fingerprint = :fingerprint, message = :message, updatedAt = :now, #status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':fingerprint': alert.fingerprint,
          ':message': JSON.stringify(alert.message),
          ':now': alert.raisedAt,
          ':open': 'open',
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (old.Attributes?.status === 'resolved') {
      await documentClient().send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'SET reopenedAt = :now',
          ExpressionAttributeValues: { ':now': alert.raisedAt },
        }),
      );
    }
    return false;
  }

  /**
   * Marks an open alert resolved. `announce` is true only the first time an alert is ever
   * resolved, so the resolution is published once; false too when there was nothing open.
   */
  async resolve(
    period: string,
    kind: string,
    key: string,
    resolution: Resolution,
  ): Promise<{ resolved: boolean; announce: boolean; previous?: StoredAlert }> {
    try {
      const old = await documentClient().send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.keyOf(period, kind, key),
          UpdateExpression:
            'SET #status = :resolved, resolution = :resolution, resolvedAt = :now, ' +
            'resolutionFingerprint = :fingerprint, updatedAt = :now, ' +
            'firstResolvedAt = if_not_exists(firstResolvedAt, :now)',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(#status) OR #status = :open)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':resolved': 'resolved',
            ':open': 'open',
            ':resolution': JSON.stringify(resolution.resolution),
            ':fingerprint': resolution.fingerprint,
            ':now': resolution.at,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const previous = old.Attributes ? toStoredAlert(old.Attributes) : undefined;
      return {
        resolved: true,
        announce: old.Attributes?.firstResolvedAt === undefined,
        ...(previous ? { previous } : {}),
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { resolved: false, announce: false };
    }
  }

  /** A period's alerts, optionally of one kind. */
  async listPeriod(period: string, kind?: string): Promise<StoredAlert[]> {
    const pk = `${this.dataset}#${period}`;
    const items = await queryAll({
      TableName: this.table,
      KeyConditionExpression: kind ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: kind ? { ':pk': pk, ':prefix': `${kind}#` } : { ':pk': pk },
    });
    return items.map(toStoredAlert);
  }
}

function parseJson(value: unknown): Record<string, unknown> | null {
  if (typeof value !== 'string') return null;
  try {
    return JSON.parse(value) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function toStoredAlert(item: Record<string, unknown>): StoredAlert {
  const sk = String(item.sk ?? '');
  const kind = String(item.kind ?? sk.split('#')[0]);
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    period: String(item.period),
    kind,
    // records written before keys were stored carry them only in the sort key
    key: text(item.key) ?? sk.slice(kind.length + 1),
    standard: text(item.standard),
    trust: String(item.trust),
    fingerprint: String(item.fingerprint ?? ''),
    raisedAt: String(item.raisedAt ?? ''),
    updatedAt: String(item.updatedAt ?? item.raisedAt ?? ''),
    message: parseJson(item.message) ?? {},
    status: item.status === 'resolved' ? 'resolved' : 'open',
    resolvedAt: text(item.resolvedAt),
    resolution: parseJson(item.resolution),
    reopenedAt: text(item.reopenedAt),
  };
}
