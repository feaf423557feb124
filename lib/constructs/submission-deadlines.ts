import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { AlertsTopic } from './alerts-topic';
import { TRANSIENT_ERRORS } from './ingest-workflow';
import { ManagedPolicyRole } from './managed-policy-role';
import { PlatformFunction } from './platform-function';
import type { Store } from './store';

/** Properties of {@link SubmissionDeadlines}. */
export interface SubmissionDeadlinesProps {
  /** The environment every platform function gets (the local runtime needs them identical). */
  readonly environment: Readonly<Record<string, string>>;
  /** Tables: aggregates (who has submitted) are read, alerts recorded. */
  readonly store: Store;
  /** Topic the missing-submission alerts go to. */
  readonly alerts: AlertsTopic;
  /** Key for the function's and the state machine's log groups. */
  readonly logKey: kms.IKey;
  /** When the check runs. @default daily at 07:00 UTC */
  readonly schedule?: events.Schedule;
  /** How long execution logs are kept. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The daily check that every configured trust has submitted each period by its deadline: an
 * EventBridge schedule starts a small Step Functions workflow — `Check deadlines` (Lambda,
 * returns the new alerts) → inline Map `Publish deadline alerts` → SNS publish — the same
 * pattern as the ingest workflow's `Publish alerts`. JSONPath only, so the local runtime runs
 * the same definition on its own timer.
 */
export class SubmissionDeadlines extends Construct {
  /** The Lambda that finds missing submissions and records them. */
  readonly checkFunction: PlatformFunction;
  /** The workflow the schedule starts. */
  readonly stateMachine: sfn.StateMachine;
  /** The state machine's execution role (grants in one customer-managed policy). */
  readonly role: ManagedPolicyRole;
  /** Role EventBridge assumes to start executions of this state machine only. */
  readonly eventsRole: ManagedPolicyRole;
  /** Execution log group (KMS-encrypted). */
  readonly logGroup: logs.LogGroup;
  /** The daily schedule rule. */
  readonly scheduleRule: events.Rule;

  constructor(scope: Construct, id: string, props: SubmissionDeadlinesProps) {
    super(scope, id);

    this.checkFunction = new PlatformFunction(this, 'CheckDeadlines', {
      entry: 'lambdas/handlers/check-deadlines.ts',
      logKey: props.logKey,
      description: 'Raises an alert for each trust that has not submitted a period by its deadline',
      environment: props.environment,
      // One run a day, one invocation at a time (plus a retry overlapping a timed-out attempt).
      reservedConcurrency: 2,
    });
    props.store.grantRead(this.checkFunction, 'aggregates');
    props.store.grantReadWrite(this.checkFunction, 'alerts');

    const check = new tasks.LambdaInvoke(this, 'Check deadlines', {
      lambdaFunction: this.checkFunction.lambdaFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.check',
    });
    check.addRetry({
      errors: TRANSIENT_ERRORS,
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 4,
    });
    const publish = new sfn.Map(this, 'Publish deadline alerts', {
      itemsPath: '$.check.alerts',
      maxConcurrency: 5,
      resultPath: sfn.JsonPath.DISCARD,
    });
    publish.itemProcessor(
      new tasks.SnsPublish(this, 'Publish deadline alert', {
        topic: props.alerts.topic,
        subject: sfn.JsonPath.stringAt('$.subject'),
        message: sfn.TaskInput.fromJsonPathAt('$.message'),
      }),
    );

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new ManagedPolicyRole(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Execution role of the submission-deadline check',
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      role: this.role,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(
        check.next(publish).next(new sfn.Succeed(this, 'Checked')),
      ),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    props.alerts.grantPublish(this.stateMachine);

    // No dead-letter queue: a missed run changes nothing the next day's run does not catch.
    this.scheduleRule = new events.Rule(this, 'Daily', {
      description: 'Checks daily that every trust has submitted each period by its deadline',
      schedule: props.schedule ?? events.Schedule.cron({ minute: '0', hour: '7' }),
    });
    this.eventsRole = new ManagedPolicyRole(this, 'StartExecutionRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'Lets the daily schedule start the submission-deadline check',
    });
    this.scheduleRule.addTarget(
      new targets.SfnStateMachine(this.stateMachine, {
        role: this.eventsRole,
        retryAttempts: 4,
        maxEventAge: Duration.hours(6),
      }),
    );
  }
}
