import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './clients';
import { isConditionFailure } from './submissions-repo';

/**
 * Alerts already raised, so that redelivered events, retried executions and identical
 * re-uploads never publish the same alert twice. An alert is re-published only when its
 * figures change (its fingerprint).
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

  /** Records the alert; false when the same alert with the same figures was already raised. */
  async recordIfNew(alert: AlertRecord): Promise<boolean> {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `${this.dataset}#${alert.period}`,
            sk: `${alert.kind}#${alert.standard}#${alert.trust}`,
            ...alert,
            message: JSON.stringify(alert.message),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR fingerprint <> :fingerprint',
          ExpressionAttributeValues: { ':fingerprint': alert.fingerprint },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
