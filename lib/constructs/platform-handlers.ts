import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PlatformFunction } from './platform-function';
import type { Store } from './store';
import type { UploadBucket } from './upload-bucket';

/** Properties of {@link PlatformHandlers}. */
export interface PlatformHandlersProps {
  /** Bucket the handlers read and write, each under its own prefixes. */
  readonly uploads: UploadBucket;
  /** Tables the handlers read and write. */
  readonly store: Store;
  /** Key for the functions' log groups. */
  readonly logKey: kms.IKey;
  /** The validated alliance config as the Lambdas receive it (compact JSON, no alert email). */
  readonly allianceConfigJson: string;
  /** Powertools log level. @default 'INFO' */
  readonly logLevel?: string;
}

/**
 * The Lambda functions of the platform, one per handler file, each with only the rights its
 * step needs:
 *
 * - Register: submissions RW.
 * - Validate: read uploads/, write staging/ and reports/; submissions RW.
 * - Quarantine: read and delete uploads/, read and write quarantine/, write reports/;
 *   submissions RW.
 * - Enrich, Summarise: read and write staging/.
 * - Aggregate: read staging/; aggregates RW, submissions RW.
 * - Evaluate: aggregates R, alerts RW, submissions R.
 * - Complete: submissions RW, aggregates RW (deletes superseded contributions).
 * - MarkFailed: submissions RW.
 * - ReportApi: read reports/ (never uploads/); submissions R, aggregates R, alerts R.
 * - FundingApi: aggregates R; allocations read and append (no update or delete), so a saved
 *   decision cannot be rewritten.
 *
 * Every function gets the same environment: the local runtime runs all handlers in one process
 * with the union of their variables, so a handler reading a variable only another function has
 * would pass locally and fail in the cloud. Rights, not variable names, are what is limited.
 */
export class PlatformHandlers extends Construct {
  readonly register: PlatformFunction;
  readonly validate: PlatformFunction;
  readonly quarantine: PlatformFunction;
  readonly enrich: PlatformFunction;
  readonly summarise: PlatformFunction;
  readonly aggregate: PlatformFunction;
  readonly evaluate: PlatformFunction;
  readonly complete: PlatformFunction;
  readonly markFailed: PlatformFunction;
  readonly reportApi: PlatformFunction;
  readonly fundingApi: PlatformFunction;
  /** Environment variables every function receives. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PlatformHandlersProps) {
    super(scope, id);
    const { uploads, store } = props;
    this.environment = {
      BUCKET_NAME: uploads.bucket.bucketName,
      SUBMISSIONS_TABLE: store.submissions.tableName,
      AGGREGATES_TABLE: store.aggregates.tableName,
      ALERTS_TABLE: store.alerts.tableName,
      ALLOCATIONS_TABLE: store.allocations.tableName,
      ALLIANCE_CONFIG: props.allianceConfigJson,
      POWERTOOLS_SERVICE_NAME: 'cancer-waiting-times',
      POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
    };
    const fn = (
      constructId: string,
      file: string,
      description: string,
      sizing: { memorySize?: number; timeout?: Duration } = {},
    ): PlatformFunction =>
      new PlatformFunction(this, constructId, {
        entry: `lambdas/handlers/${file}.ts`,
        logKey: props.logKey,
        description,
        environment: this.environment,
        ...sizing,
      });

    this.register = fn('Register', 'register', 'Records an uploaded file as a submission');
    store.grantReadWrite(this.register, 'submissions');

    this.validate = fn('Validate', 'validate', 'Validates a submission and writes its report', {
      memorySize: 2048,
      timeout: Duration.minutes(10),
    });
    uploads.grantReadArea(this.validate, 'uploads');
    uploads.grantWriteArea(this.validate, 'staging');
    uploads.grantWriteArea(this.validate, 'reports');
    store.grantReadWrite(this.validate, 'submissions');

    this.quarantine = fn('Quarantine', 'quarantine', 'Moves a rejected file to quarantine');
    uploads.grantReadArea(this.quarantine, 'uploads');
    uploads.grantDeleteArea(this.quarantine, 'uploads');
    uploads.grantWriteArea(this.quarantine, 'quarantine');
    // A retried run whose upload is already moved checks that the quarantined copy exists.
    uploads.grantReadArea(this.quarantine, 'quarantine');
    uploads.grantWriteArea(this.quarantine, 'reports');
    store.grantReadWrite(this.quarantine, 'submissions');

    // Reference data (postcode to LSOA, IMD) is downloaded into /tmp from public sources, so
    // Enrich needs no bucket rights beyond staging.
    this.enrich = fn('Enrich', 'enrich', 'Adds deprivation, place and clock fields to a chunk', {
      memorySize: 2048,
      timeout: Duration.minutes(5),
    });
    uploads.grantReadArea(this.enrich, 'staging');
    uploads.grantWriteArea(this.enrich, 'staging');

    this.summarise = fn('Summarise', 'summarise', 'Summarises an enriched chunk');
    uploads.grantReadArea(this.summarise, 'staging');
    uploads.grantWriteArea(this.summarise, 'staging');

    this.aggregate = fn('Aggregate', 'aggregate', "Merges a submission's chunk summaries");
    uploads.grantReadArea(this.aggregate, 'staging');
    store.grantReadWrite(this.aggregate, 'aggregates');
    store.grantReadWrite(this.aggregate, 'submissions');

    this.evaluate = fn('Evaluate', 'evaluate', 'Evaluates standards and raises alerts');
    store.grantRead(this.evaluate, 'aggregates');
    store.grantReadWrite(this.evaluate, 'alerts');
    store.grantRead(this.evaluate, 'submissions');

    this.complete = fn('Complete', 'complete', 'Accepts a submission and supersedes older ones');
    store.grantReadWrite(this.complete, 'submissions');
    store.grantReadWrite(this.complete, 'aggregates');

    this.markFailed = fn('MarkFailed', 'mark-failed', 'Marks a submission as failed');
    store.grantReadWrite(this.markFailed, 'submissions');

    this.reportApi = fn('ReportApi', 'report-api', 'Serves the report API', {
      memorySize: 1024,
      timeout: Duration.seconds(29),
    });
    store.grantRead(this.reportApi, 'submissions');
    store.grantRead(this.reportApi, 'aggregates');
    store.grantRead(this.reportApi, 'alerts');
    uploads.grantReadArea(this.reportApi, 'reports');

    // Reads the population reference data (REFERENCE_DATA_DIR locally; downloaded into /tmp in
    // the cloud, like Enrich), so no bucket rights.
    this.fundingApi = fn('FundingApi', 'funding-api', 'Computes and serves funding allocations', {
      memorySize: 2048,
      timeout: Duration.seconds(29),
    });
    store.grantRead(this.fundingApi, 'aggregates');
    store.grantReadAppend(this.fundingApi, 'allocations');
  }

  /** All the functions, in workflow order with the API functions last. */
  all(): PlatformFunction[] {
    return [
      this.register,
      this.validate,
      this.quarantine,
      this.enrich,
      this.summarise,
      this.aggregate,
      this.evaluate,
      this.complete,
      this.markFailed,
      this.reportApi,
      this.fundingApi,
    ];
  }
}
