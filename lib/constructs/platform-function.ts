import { resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../config';
import { ManagedPolicyRole } from './managed-policy-role';

/** Metadata key on each CfnFunction naming its handler file, read by the local runtime. */
export const LOCAL_HANDLER_METADATA = 'local:handler';

/** Reserved concurrency of a function that does not choose its own. */
export const DEFAULT_RESERVED_CONCURRENCY = 5;

/**
 * CDK context key that, set to `false` (`cdk deploy -c reservedConcurrency=false`), deploys every
 * function without reserved concurrency. Lambda keeps 100 executions of the account quota
 * unreserved, and new accounts often start with a quota of 10, where any reservation fails the
 * deployment; raise the quota (Service Quotas, "Concurrent executions") rather than use this
 * outside a sandbox.
 */
export const RESERVED_CONCURRENCY_CONTEXT = 'reservedConcurrency';

/** Properties of {@link PlatformFunction}. */
export interface PlatformFunctionProps {
  /** Handler file relative to the project root, e.g. `lambdas/handlers/register.ts`. */
  readonly entry: string;
  /** Key that encrypts the function's log group (its policy must admit CloudWatch Logs). */
  readonly logKey: kms.IKey;
  /** One line shown in the console. @default - no description */
  readonly description?: string;
  /** Memory in MB; CPU scales with it. @default 512 */
  readonly memorySize?: number;
  /** Longest run before Lambda stops the function. @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** Environment variables. @default - none besides NODE_OPTIONS=--enable-source-maps */
  readonly environment?: Readonly<Record<string, string>>;
  /** How long logs are kept. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Concurrent executions reserved for the function, which are also its ceiling: a runaway
   * caller (a retry storm, a burst of uploads) cannot starve the other steps or the API, and one
   * function cannot exhaust the account. Throttled workflow invocations fail with
   * `Lambda.TooManyRequestsException`, which the workflow retries.
   *
   * @default DEFAULT_RESERVED_CONCURRENCY, or none when the `reservedConcurrency` context is false
   */
  readonly reservedConcurrency?: number;
}

/**
 * A Lambda function built the same way for every handler: Node.js 24 on arm64, one ESM bundle
 * with source maps, X-Ray tracing, reserved concurrency, and its own KMS-encrypted log group with
 * retention written by its own role (no AWS managed policy). Grants go to
 * {@link PlatformFunction.role} via the resources' intent methods and land in the role's one
 * customer-managed policy (no inline policy).
 *
 * No dead-letter queue: every platform function is invoked synchronously (Step Functions
 * `LambdaInvoke` request-response, API Gateway proxy), where a failure returns to the caller and
 * Lambda never uses a DLQ. A function invoked asynchronously must add one (`onFailure`).
 */
export class PlatformFunction extends Construct implements iam.IGrantable {
  /** The function. */
  readonly lambdaFunction: nodejs.NodejsFunction;
  /** Execution role; starts with log-writing rights only. */
  readonly role: ManagedPolicyRole;
  /** The function's log group. */
  readonly logGroup: logs.LogGroup;
  /** Handler file relative to the project root. */
  readonly entry: string;
  /** The principal grants go to (the execution role). */
  readonly grantPrincipal: iam.IPrincipal;
  /** Reserved concurrent executions, or `undefined` when reservations are switched off. */
  readonly reservedConcurrency: number | undefined;

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    this.entry = props.entry;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.entry}`,
    });
    this.grantPrincipal = this.role;
    this.logGroup.grantWrite(this.role);
    const reservations = String(this.node.tryGetContext(RESERVED_CONCURRENCY_CONTEXT)) !== 'false';
    this.reservedConcurrency = reservations
      ? (props.reservedConcurrency ?? DEFAULT_RESERVED_CONCURRENCY)
      : undefined;

    this.lambdaFunction = new nodejs.NodejsFunction(this, 'Function', {
      entry: resolve(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: resolve(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(1),
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: this.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      description: props.description,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        // CommonJS dependencies inside an ESM bundle still call require().
        banner:
          "import { createRequire as __createRequire } from 'node:module';" +
          'const require = __createRequire(import.meta.url);',
        sourceMap: true,
        sourcesContent: false,
        minify: true,
        // The pinned SDK is what the tests and the local runtime exercise; the runtime's copy
        // changes under us.
        bundleAwsSDK: true,
      },
    });

    const cfnFunction = this.lambdaFunction.node.defaultChild as lambda.CfnFunction;
    cfnFunction.addMetadata(LOCAL_HANDLER_METADATA, props.entry);
  }
}
