import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_UPLOAD_URL_TTL_SECONDS } from '../../lambdas/core/upload-request';
import { PlatformFunction } from './platform-function';
import type { Store } from './store';
import type { UploadBucket } from './upload-bucket';

/**
 * Reserved concurrency of each function, by construct id; a function not listed gets
 * DEFAULT_RESERVED_CONCURRENCY. Together about 300 of the default account quota of 1,000,
 * leaving Lambda's required 100 unreserved with room to spare:
 * - the workflow steps allow about 20 submissions at once (month-end, every trust uploading);
 * - Enrich and Summarise run once per chunk, 8 chunks at a time per large file (the Distributed
 *   Map's concurrency), so 40 covers five large files in flight;
 * - ReportApi matches the stage's burst limit (100), so the stage throttles with a 429 before
 *   Lambda throttling could turn a burst into 5xx errors;
 * - FundingApi serves a handful of alliance staff.
 */
export const DEFAULT_HANDLER_CONCURRENCY: Readonly<Record<string, number>> = {
  Register: 20,
  Validate: 20,
  Quarantine: 10,
  Enrich: 40,
  Summarise: 40,
  Aggregate: 20,
  Evaluate: 10,
  Complete: 20,
  MarkFailed: 10,
  ReportApi: 100,
  FundingApi: 10,
};

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
  /**
   * Reserved concurrency of some functions by construct id (`Validate`, `ReportApi`…),
   * overriding the defaults.
   *
   * @default DEFAULT_HANDLER_CONCURRENCY
   */
  readonly reservedConcurrency?: Readonly<Record<string, number>>;
  /**
   * Default lifetime of a presigned upload URL (a request may ask for 1 to 60 minutes).
   *
   * @default Duration.minutes(15)
   */
  readonly uploadUrlTtl?: Duration;
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
 * - UploadApi: put under uploads/ only (it signs the presigned upload URLs, which carry its
 *   rights); no read, list or delete, no table.
 * - ReplayApi: aggregates R, submissions R; states:StartExecution on the ingest state machine
 *   only (granted by allowReplayOf).
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
  readonly uploadApi: PlatformFunction;
  /** `POST /replay`: re-runs a period's current submissions (see {@link allowReplayOf}). */
  readonly replayApi: PlatformFunction;
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
      UPLOAD_URL_TTL_SECONDS: String(
        props.uploadUrlTtl?.toSeconds() ?? DEFAULT_UPLOAD_URL_TTL_SECONDS,
      ),
    };
    const concurrency = { ...DEFAULT_HANDLER_CONCURRENCY, ...props.reservedConcurrency };
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
        reservedConcurrency: concurrency[constructId],
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

    // Signs presigned PUT URLs: its own function so that no API function that reads data can
    // also write uploads/, and the rights a URL carries are this role's alone.
    this.uploadApi = fn('UploadApi', 'upload-api', 'Issues presigned upload URLs to trust staff', {
      timeout: Duration.seconds(29),
    });
    uploads.grantPresignedUpload(this.uploadApi);

    // Reads which submissions are current, then starts executions: its own function so that no
    // other API function can start the workflow. The right to start is added by allowReplayOf,
    // once the state machine (which depends on the step functions) exists.
    this.replayApi = fn('ReplayApi', 'replay-api', 'Re-runs the workflow for a period', {
      timeout: Duration.seconds(29),
    });
    store.grantRead(this.replayApi, 'aggregates');
    store.grantRead(this.replayApi, 'submissions');
  }

  /**
   * Lets the replay function start executions of the ingest state machine, and only those. The
   * ARN is the one variable not every function has: the step functions cannot carry it, because
   * the state machine refers to them.
   */
  allowReplayOf(stateMachine: sfn.IStateMachine): void {
    this.replayApi.lambdaFunction.addEnvironment('STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    stateMachine.grantStartExecution(this.replayApi.lambdaFunction);
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
      this.uploadApi,
      this.replayApi,
    ];
  }
}
