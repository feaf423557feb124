import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Properties of {@link EncryptionKeys}. */
export interface EncryptionKeysProps {
  /**
   * What happens to the keys when they leave the stack. Data encrypted with a deleted key is
   * lost for good, so keep them unless the data has gone too.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The platform's customer-managed KMS keys, one per audience, so a grant to one service cannot
 * open another's data:
 * - `data` encrypts the upload bucket and the DynamoDB tables (patient-level files, aggregates);
 * - `logs` encrypts CloudWatch log groups and is the only key the CloudWatch Logs service may use;
 * - `alerts` encrypts the SNS alerts topic, so publishing rights do not imply reading data.
 * All rotate yearly.
 */
export class EncryptionKeys extends Construct {
  /** Key for the upload bucket and the DynamoDB tables. */
  readonly data: kms.Key;
  /** Key for CloudWatch log groups (Lambda, Step Functions, API access logs). */
  readonly logs: kms.Key;
  /** Key for the alerts topic. */
  readonly alerts: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptionKeysProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const keyProps: kms.KeyProps = {
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(30),
    };

    this.data = new kms.Key(this, 'Data', {
      ...keyProps,
      description: 'Cancer waiting-times platform: upload bucket and DynamoDB tables',
    });
    this.logs = new kms.Key(this, 'Logs', {
      ...keyProps,
      description: 'Cancer waiting-times platform: CloudWatch log groups',
    });
    this.alerts = new kms.Key(this, 'Alerts', {
      ...keyProps,
      description: 'Cancer waiting-times platform: alerts topic',
    });

    // CloudWatch Logs encrypts with the caller's key on its own behalf; the condition limits it to
    // log groups of this account and region, as the Logs documentation prescribes.
    const { region, account, partition } = Stack.of(this);
    this.logs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsInThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt*',
          'kms:Decrypt*',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:Describe*',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
          },
        },
      }),
    );
  }
}
