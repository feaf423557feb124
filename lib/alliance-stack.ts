import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AllianceConfig } from '../lambdas/core/config';
import { allianceConfigEnvironmentValue } from './config';
import { AlertsTopic } from './constructs/alerts-topic';
import { EncryptionKeys } from './constructs/encryption-keys';
import { IngestWorkflow } from './constructs/ingest-workflow';
import { PlatformHandlers } from './constructs/platform-handlers';
import { ReportApi } from './constructs/report-api';
import { Store } from './constructs/store';
import { SubmissionDeadlines } from './constructs/submission-deadlines';
import { UploadBucket } from './constructs/upload-bucket';

/** Properties of {@link AllianceStack}. */
export interface AllianceStackProps extends Omit<StackProps, 'env'> {
  /** The validated alliance config; its `region` is the stack's region. */
  readonly config: AllianceConfig;
  /**
   * Account to deploy to.
   *
   * @default - the account of the credentials used to deploy
   */
  readonly account?: string;
}

/** Stack id for an alliance: `CancerAlliance-` and the alliance name in PascalCase. */
export function allianceStackId(config: AllianceConfig): string {
  const words = config.name.match(/[A-Za-z0-9]+/g) ?? [];
  return `CancerAlliance-${words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join('')}`;
}

/**
 * One alliance's cancer waiting-times platform: upload bucket, ingest workflow, store, report API
 * and alerts, composed from the constructs in `lib/constructs`.
 */
export class AllianceStack extends Stack {
  readonly config: AllianceConfig;
  readonly keys: EncryptionKeys;
  readonly uploads: UploadBucket;
  readonly store: Store;
  readonly alerts: AlertsTopic;
  readonly handlers: PlatformHandlers;
  readonly ingest: IngestWorkflow;
  /** Daily check for missing submissions (scheduled workflow). */
  readonly deadlines: SubmissionDeadlines;
  readonly reportApi: ReportApi;

  constructor(scope: Construct, id: string, props: AllianceStackProps) {
    // The region comes from the config, never from the CLI's default (us-east-1 when no AWS
    // profile exists): TableV2 with a customer-managed key needs a concrete region anyway.
    super(scope, id, {
      ...props,
      description: props.description ?? `Cancer waiting-times platform for ${props.config.name}`,
      env: { region: props.config.region, account: props.account },
    });
    this.config = props.config;
    const trusts = props.config.trusts.map((trust) => trust.ods);

    this.keys = new EncryptionKeys(this, 'Keys');
    this.uploads = new UploadBucket(this, 'Uploads', {
      encryptionKey: this.keys.data,
      trusts,
    });
    this.store = new Store(this, 'Store', { encryptionKey: this.keys.data });
    this.alerts = new AlertsTopic(this, 'Alerts', {
      encryptionKey: this.keys.alerts,
      alertEmail: props.config.alertEmail,
    });
    this.handlers = new PlatformHandlers(this, 'Handlers', {
      uploads: this.uploads,
      store: this.store,
      logKey: this.keys.logs,
      allianceConfigJson: allianceConfigEnvironmentValue(props.config),
    });
    this.ingest = new IngestWorkflow(this, 'Ingest', {
      handlers: this.handlers,
      uploads: this.uploads,
      alerts: this.alerts,
      logKey: this.keys.logs,
    });
    this.handlers.allowReplayOf(this.ingest.stateMachine);
    this.deadlines = new SubmissionDeadlines(this, 'SubmissionDeadlines', {
      environment: this.handlers.environment,
      store: this.store,
      alerts: this.alerts,
      logKey: this.keys.logs,
    });
    this.reportApi = new ReportApi(this, 'Reports', {
      handler: this.handlers.reportApi,
      fundingHandler: this.handlers.fundingApi,
      uploadHandler: this.handlers.uploadApi,
      replayHandler: this.handlers.replayApi,
      trusts,
      logKey: this.keys.logs,
    });

    new CfnOutput(this, 'BucketName', {
      description: 'Upload bucket; trusts write to uploads/{ODS}/cwt/{YYYY-MM}/{file}',
      value: this.uploads.bucket.bucketName,
    });
    new CfnOutput(this, 'ApiUrl', {
      description: 'Report API base URL',
      value: this.reportApi.api.url,
    });
    new CfnOutput(this, 'UserPoolId', { value: this.reportApi.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', {
      value: this.reportApi.userPoolClient.userPoolClientId,
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.ingest.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topic.topicArn });
    for (const [ods, role] of this.uploads.uploadRoles) {
      new CfnOutput(this, `UploadRoleArn${ods}`, {
        description: `Role trust ${ods} assumes to upload`,
        value: role.roleArn,
      });
    }
  }
}
