import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { AlertsTopic } from './alerts-topic';
import { ManagedPolicyRole } from './managed-policy-role';
import type { PlatformFunction } from './platform-function';
import type { PlatformHandlers } from './platform-handlers';
import type { UploadBucket } from './upload-bucket';

/**
 * Errors worth retrying on every Lambda step: Lambda's own transient failures, plus the
 * `TransientError` handlers throw for throttling and timeouts of the services they call.
 */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'TransientError',
];

/** Error name of the workflow's final Fail state. */
export const SUBMISSION_FAILED_ERROR = 'SubmissionFailed';

/** A state that can route its errors elsewhere (Task and Map states). */
interface Catchable {
  addCatch(handler: sfn.IChainable, props?: sfn.CatchProps): unknown;
}

/** Properties of {@link IngestWorkflow}. */
export interface IngestWorkflowProps {
  /** The step functions (the report API function is not used here). */
  readonly handlers: PlatformHandlers;
  /** Bucket whose `uploads/` objects start the workflow; chunk manifests live in `staging/`. */
  readonly uploads: UploadBucket;
  /** Topic for rejection notices, breach alerts and failure alerts. */
  readonly alerts: AlertsTopic;
  /** Key for the state machine's log group. */
  readonly logKey: kms.IKey;
  /** Chunks processed at once on the large-file path. @default 8 */
  readonly chunkConcurrency?: number;
  /** How long execution logs are kept. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * JSON item reader whose permissions stop at `staging/`: the reader's own default is `s3:GetObject`
 * on the whole bucket, uploads included. The workflow grants the narrower right itself.
 */
class StagingJsonItemReader extends sfn.S3JsonItemReader {
  override providePolicyStatements(): iam.PolicyStatement[] {
    return [];
  }
}

/**
 * The ingest workflow: an EventBridge rule on the bucket's `Object Created` events under
 * `uploads/` starts a Step Functions STANDARD execution with the whole event as input, which
 * registers, validates, quarantines or enriches, aggregates, evaluates standards, publishes alerts
 * and completes the submission. Any failure marks the submission failed, alerts and fails.
 *
 * JSONPath only (no JSONata, no variables): the local runtime interprets the same definition and
 * supports neither. Logging is ALL without execution data; see the constructor for why.
 */
export class IngestWorkflow extends Construct {
  /** The state machine. */
  readonly stateMachine: sfn.StateMachine;
  /**
   * The state machine's execution role; its grants live in one customer-managed policy. The
   * Distributed Map's own policy (child executions) is the one aws-cdk-lib attaches inline.
   */
  readonly role: ManagedPolicyRole;
  /** Role EventBridge assumes to start executions (states:StartExecution on this machine only). */
  readonly eventsRole: ManagedPolicyRole;
  /** The functions the workflow's tasks invoke, once each. */
  readonly invokedFunctions: readonly PlatformFunction[];
  /** Execution log group (KMS-encrypted). */
  readonly logGroup: logs.LogGroup;
  /** Rule matching `Object Created` under `uploads/`. */
  readonly uploadRule: events.Rule;
  /** Events the rule could not deliver to the state machine after its retries. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: IngestWorkflowProps) {
    super(scope, id);
    const { handlers, uploads, alerts } = props;
    const topic = alerts.topic;
    const invoked = new Set<PlatformFunction>();

    // With payloadResponseOnly the Resource is the function ARN and Parameters must be an object,
    // so a payload of a whole path (`$`, `$.validation.firstChunk`) is written as InputPath
    // instead; ResultPath still applies to the state's raw input.
    const invoke = (
      stateName: string,
      fn: PlatformFunction,
      input: sfn.TaskInput | string,
      resultPath: string,
    ): tasks.LambdaInvoke => {
      invoked.add(fn);
      const task = new tasks.LambdaInvoke(this, stateName, {
        lambdaFunction: fn.lambdaFunction,
        payloadResponseOnly: true,
        // The default retry has 6 attempts and other errors; the contract fixes one policy.
        retryOnServiceExceptions: false,
        ...(typeof input === 'string' ? { inputPath: input } : { payload: input }),
        resultPath,
      });
      task.addRetry({
        errors: TRANSIENT_ERRORS,
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 4,
      });
      return task;
    };
    const whole = '$';
    const pick = (...fields: string[]): sfn.TaskInput =>
      sfn.TaskInput.fromObject(
        Object.fromEntries(fields.map((field) => [field, sfn.JsonPath.objectAt(`$.${field}`)])),
      );

    // A notice is lost if one SNS hiccup fails its state, so every publish retries the task
    // failures of the service integration (throttling, a KMS or SNS blip) before giving up.
    const retried = (state: tasks.SnsPublish): tasks.SnsPublish => {
      state.addRetry({
        errors: [sfn.Errors.TASKS_FAILED],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 3,
      });
      return state;
    };

    // Failure path, shared by every Catch.
    const markFailed = invoke('Mark failed', handlers.markFailed, whole, '$.failure');
    const notifyFailure = retried(
      new tasks.SnsPublish(this, 'Notify failure', {
        topic,
        subject: sfn.JsonPath.stringAt('$.failure.alert.subject'),
        message: sfn.TaskInput.fromJsonPathAt('$.failure.alert.message'),
        resultPath: sfn.JsonPath.DISCARD,
      }),
    );
    const failed = new sfn.Fail(this, 'Failed', { error: SUBMISSION_FAILED_ERROR });
    markFailed.next(notifyFailure).next(failed);
    const catchAll = <T extends Catchable>(state: T): T => {
      state.addCatch(markFailed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
      return state;
    };

    const register = catchAll(invoke('Register', handlers.register, whole, '$.submission'));
    const validate = catchAll(
      invoke('Validate', handlers.validate, pick('submission'), '$.validation'),
    );

    const quarantine = catchAll(
      invoke('Quarantine', handlers.quarantine, pick('submission', 'validation'), '$.quarantine'),
    );
    // Caught like every step: a notice that still fails marks the run failed (the verdict stays
    // REJECTED) and operations are told, rather than the execution ending unexplained.
    const notifyRejection = catchAll(
      retried(
        new tasks.SnsPublish(this, 'Notify trust of rejection', {
          topic,
          subject: sfn.JsonPath.stringAt('$.quarantine.alert.subject'),
          message: sfn.TaskInput.fromJsonPathAt('$.quarantine.alert.message'),
          resultPath: sfn.JsonPath.DISCARD,
        }),
      ),
    );

    // Large files: one child execution per chunk listed in the manifest. Items go to the
    // processor as they are (no ItemSelector), so each carries its own submission and chunk key.
    const processChunks = catchAll(
      new sfn.DistributedMap(this, 'Process chunks', {
        itemReader: new StagingJsonItemReader({
          bucket: uploads.bucket,
          key: sfn.JsonPath.stringAt('$.validation.manifestKey'),
        }),
        maxConcurrency: props.chunkConcurrency ?? 8,
        toleratedFailurePercentage: 0,
        resultPath: sfn.JsonPath.DISCARD,
      }),
    );
    // Both chunk steps take the item itself, as Enrich and Summarise do on the inline path; their
    // results stay in staging/, so nothing accumulates in the Map's collected output.
    processChunks.itemProcessor(
      invoke('Enrich chunk', handlers.enrich, whole, sfn.JsonPath.DISCARD).next(
        invoke('Summarise chunk', handlers.summarise, whole, sfn.JsonPath.DISCARD),
      ),
    );

    // Small files: the single chunk Validate already wrote, processed inline.
    const firstChunk = '$.validation.firstChunk';
    const enrich = catchAll(invoke('Enrich', handlers.enrich, firstChunk, '$.enrich'));
    const summarise = catchAll(
      invoke('Summarise', handlers.summarise, firstChunk, sfn.JsonPath.DISCARD),
    );

    const aggregate = catchAll(
      invoke('Aggregate', handlers.aggregate, pick('submission', 'validation'), '$.aggregate'),
    );
    const evaluate = catchAll(
      invoke(
        'Evaluate standards',
        handlers.evaluate,
        pick('submission', 'aggregate'),
        '$.evaluation',
      ),
    );
    const publishAlerts = catchAll(
      new sfn.Map(this, 'Publish alerts', {
        itemsPath: '$.evaluation.alerts',
        maxConcurrency: 5,
        resultPath: sfn.JsonPath.DISCARD,
      }),
    );
    publishAlerts.itemProcessor(
      retried(
        new tasks.SnsPublish(this, 'Publish alert', {
          topic,
          subject: sfn.JsonPath.stringAt('$.subject'),
          message: sfn.TaskInput.fromJsonPathAt('$.message'),
        }),
      ),
    );
    const complete = catchAll(
      invoke(
        'Complete',
        handlers.complete,
        pick('submission', 'validation', 'aggregate'),
        '$.result',
      ),
    );

    aggregate
      .next(evaluate)
      .next(publishAlerts)
      .next(complete)
      .next(new sfn.Succeed(this, 'Accepted'));
    processChunks.next(aggregate);
    enrich.next(summarise).next(aggregate);

    const definition = register.next(
      new sfn.Choice(this, 'Already processed?')
        .when(
          sfn.Condition.booleanEquals('$.submission.duplicate', true),
          new sfn.Succeed(this, 'Duplicate delivery'),
        )
        .otherwise(
          validate.next(
            new sfn.Choice(this, 'Rejected?')
              .when(
                sfn.Condition.stringEquals('$.validation.status', 'REJECTED'),
                quarantine.next(notifyRejection).next(new sfn.Succeed(this, 'Rejected')),
              )
              .otherwise(
                new sfn.Choice(this, 'Large file?')
                  .when(sfn.Condition.booleanEquals('$.validation.chunked', true), processChunks)
                  .otherwise(enrich),
              ),
          ),
        ),
    );

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.invokedFunctions = [...invoked];
    this.role = new ManagedPolicyRole(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Execution role of the ingest workflow',
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      role: this.role,
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: sfn.LogLevel.ALL,
        // Every state transition is logged, but not its data: payloads are keys and counts by
        // design, yet an error Cause can quote a rejected value from a patient row, and logs are
        // read more widely than the bucket. Execution history keeps the data for those with
        // Step Functions access.
        includeExecutionData: false,
      },
    });
    uploads.grantReadArea(this.stateMachine, 'staging');
    alerts.grantPublish(this.stateMachine);

    this.deadLetterQueue = new sqs.Queue(this, 'UploadEventsDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.uploadRule = new events.Rule(this, 'UploadReceived', {
      description: 'Starts the ingest workflow for each file a trust uploads',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [uploads.bucket.bucketName] },
          object: { key: events.Match.prefix('uploads/') },
        },
      },
    });
    this.eventsRole = new ManagedPolicyRole(this, 'StartExecutionRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'Lets the upload rule start the ingest workflow',
    });
    this.uploadRule.addTarget(
      new targets.SfnStateMachine(this.stateMachine, {
        role: this.eventsRole,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    );
  }
}
