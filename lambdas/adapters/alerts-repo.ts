import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './clients';
import { isConditionFailure } from './submissions-repo';

/**
 * Alerts already raised, so that redelivered events, retried executions and re-uploads never
 * publish the same alert twice: a breach is announced once per standard, trust and period.
 * Later uploads that move the figures but leave the breach standing only refresh the stored
 * figures (`fingerprint`, `message`), which the API can show; they do not page anyone again.
 *
 *   pk = {dataset}#{YYYY-MM}   sk = {kind}#{standard}#{trust}
 */
export interface AlertRecord {
  readonly period: string;
  readonly kind: string;
  readonly standard: string;
  readonly trust: string;
  readonly fingerprint: string;
  readonly raisedAt: string;
  readonly message: Record<string, unknown>;
}

export class AlertsRepository {
  constructor(
    private readonly table: string,
    private readonly dataset = 'cwt',
  ) {}

  /** Records the alert; false when it was already raised (its figures are refreshed). */
  async recordIfNew(alert: AlertRecord): Promise<boolean> {
    const key = {
      pk: `${this.dataset}#${alert.period}`,
      sk: `${alert.kind}#${alert.standard}#${alert.trust}`,
    };
    try {
      await documentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key,
            ...alert,
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
    await documentClient().send(
      new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: 'SET fingerprint = :fingerprint, message = :message, updatedAt = :now',
        ExpressionAttributeValues: {
          ':fingerprint': alert.fingerprint,
          ':message': JSON.stringify(alert.message),
          ':now': alert.raisedAt,
        },
      }),
    );
    return false;
  }
}
