import { type CfnElement, Validations } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, type IConstruct } from 'constructs';
import type { AllianceStack } from './alliance-stack';
import { PlatformFunction } from './constructs/platform-function';
import type { BucketArea } from './constructs/upload-bucket';

/** One cdk-nag finding accepted on one construct (and its children), with the reason. */
export interface NagAcknowledgement {
  readonly scope: IConstruct;
  /** Finding id as cdk-nag prints it, e.g. `AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  readonly reason: string;
}

const AREA_WORK: Record<BucketArea, string> = {
  uploads: 'the trust files it processes',
  staging: 'intermediate chunk artefacts, named by submission id at run time',
  reports: 'validation reports, named by submission id at run time',
  quarantine: 'rejected files, named by trust, period and submission id at run time',
};

/**
 * The AwsSolutions findings this stack accepts, each on the narrowest construct it applies to.
 * Everything else is fixed in the constructs (runtime, request validation, encryption, logging,
 * TLS, MFA, PITR…). Logical ids come from the stack, so the acknowledgements follow renames.
 */
export function nagAcknowledgements(stack: AllianceStack): NagAcknowledgement[] {
  const ref = (construct: IConstruct): string => {
    const element = construct.node.defaultChild as CfnElement | undefined;
    if (!element) throw new Error(`${construct.node.path} has no CloudFormation resource`);
    return stack.getLogicalId(element);
  };
  const bucketArn = `<${ref(stack.uploads.bucket)}.Arn>`;
  const acknowledgements: NagAcknowledgement[] = [];

  for (const [ods, role] of stack.uploads.uploadRoles) {
    acknowledgements.push({
      scope: role,
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/uploads/${ods}/*]`,
      reason:
        `S3 scopes object permissions by key prefix; trust ${ods} may only PutObject under its ` +
        'own prefix, whose file names it chooses.',
    });
  }

  for (const { principal, area } of stack.uploads.grantedAreas()) {
    if (!Construct.isConstruct(principal)) {
      throw new Error(`Grant on ${area}/ went to a principal outside the stack`);
    }
    acknowledgements.push({
      scope: principal,
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${area}/*]`,
      reason:
        `Object rights are limited to the ${area}/ prefix (${AREA_WORK[area]}); S3 cannot ` +
        'scope them further.',
    });
  }

  // Every PlatformFunction in the stack, wherever it is created, so a new function inherits these.
  for (const fn of platformFunctions(stack)) {
    acknowledgements.push({
      scope: fn.role,
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no ' +
        'resource-level permissions.',
    });
    acknowledgements.push(
      ...inBothPacks(fn.lambdaFunction, 'LambdaDLQ', SYNCHRONOUS_ONLY),
      ...inBothPacks(fn.lambdaFunction, 'LambdaInsideVPC', NO_VPC),
    );
    if (fn.reservedConcurrency === undefined) {
      acknowledgements.push(
        ...inBothPacks(
          fn.lambdaFunction,
          'LambdaConcurrency',
          'Reserved concurrency is switched off for this deployment (context ' +
            'reservedConcurrency=false) because the account quota leaves no room for it; the ' +
            'API stage throttle and the Distributed Map concurrency still bound the load.',
        ),
      );
    }
  }

  const stateMachine = stack.ingest.stateMachine;
  acknowledgements.push({
    scope: stack.ingest.role,
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery, ' +
      'logs:PutResourcePolicy, …) support no resource-level permissions.',
  });
  // The functions the workflow's tasks invoke, as the workflow records them.
  for (const fn of stack.ingest.invokedFunctions) {
    acknowledgements.push({
      scope: stack.ingest.role,
      id: `AwsSolutions-IAM5[Resource::<${ref(fn.lambdaFunction)}.Arn>:*]`,
      reason:
        'LambdaInvoke grants lambda:InvokeFunction on this workflow function and its versions ' +
        '(ARN:*); no other function is invocable.',
    });
  }
  const partition = RegionInfo.get(stack.region).partition ?? 'aws';
  const executions =
    `arn:${partition}:states:${stack.region}:<AWS::AccountId>:execution:` +
    JSON.stringify({ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: ref(stateMachine) }] }] });
  for (const suffix of [':*', '/*:*']) {
    acknowledgements.push({
      scope: stateMachine,
      id: `AwsSolutions-IAM5[Resource::${executions}${suffix}]`,
      reason:
        'The Distributed Map describes and stops its own child executions and map runs, whose ' +
        "names are generated at run time under this state machine's executions.",
    });
  }

  const bucketNotifications = stack.node.children.find((child) =>
    child.node.id.startsWith('BucketNotificationsHandler'),
  );
  if (bucketNotifications) {
    acknowledgements.push({
      scope: bucketNotifications,
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "aws-cdk-lib's own deploy-time function that turns on EventBridge delivery for the " +
        'upload bucket; it only writes its logs and its role is not configurable.',
    });
  }

  // The scheduled missing-submission check: its own function and state machine.
  const deadlines = stack.deadlines;
  acknowledgements.push({
    scope: deadlines.role,
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery, ' +
      'logs:PutResourcePolicy, …) support no resource-level permissions.',
  });
  acknowledgements.push({
    scope: deadlines.role,
    id: `AwsSolutions-IAM5[Resource::<${ref(deadlines.checkFunction.lambdaFunction)}.Arn>:*]`,
    reason:
      'LambdaInvoke grants lambda:InvokeFunction on the CheckDeadlines function and its ' +
      'versions (ARN:*); no other function is invocable.',
  });

  acknowledgements.push({
    scope: stack.ingest.deadLetterQueue,
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is the dead-letter queue of the upload rule target; a queue behind it would ' +
      'only hold the same undeliverable events again.',
  });

  const api = stack.reportApi.api;
  acknowledgements.push({
    scope: api.node.findChild('CloudWatchRole'),
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason:
      "API Gateway's account-level logging role; the managed policy is the documented one for " +
      'the execution-log groups API Gateway names and creates itself.',
  });
  acknowledgements.push({
    scope: api.deploymentStage,
    id: 'AwsSolutions-APIG3',
    reason:
      'Every data route needs a Cognito token with MFA behind it, and the stage is throttled; a ' +
      'WAF web ACL is an account-level choice left to each alliance deployment.',
  });
  const health = stack.reportApi.methods.get('/health');
  if (health) {
    for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      acknowledgements.push({
        scope: health,
        id,
        reason:
          '/health is the liveness probe for uptime monitors; it returns no alliance data, so it ' +
          'is open by design.',
      });
    }
  }
  acknowledgements.push(...healthcarePackAcknowledgements(stack));
  return acknowledgements;
}

/**
 * The HIPAA Security and NIST 800-53 R5 findings accepted beyond the per-function ones (Lambda
 * DLQ, VPC and concurrency, acknowledged with the functions above). Most rules of both packs are
 * met in the constructs: KMS-encrypted log groups with retention, customer-managed policies
 * instead of inline ones, reserved concurrency, PITR, versioning, access logging, TLS-only.
 */
function healthcarePackAcknowledgements(stack: AllianceStack): NagAcknowledgement[] {
  const acknowledgements: NagAcknowledgement[] = [];
  const distributedMapPolicy = stack.ingest.stateMachine.node.tryFindChild('DistributedMapPolicy');
  if (distributedMapPolicy) {
    acknowledgements.push(
      ...inBothPacks(
        distributedMapPolicy,
        'IAMNoInlinePolicy',
        'aws-cdk-lib adds this AWS::IAM::Policy itself for the Distributed Map (start, describe ' +
          'and stop its own child executions) because it names the state machine, which depends ' +
          "on the role; it is not configurable. Every other grant of the workflow's role is in " +
          'its customer-managed policy.',
      ),
    );
  }
  const notificationsPolicy = stack.uploads.bucket.node
    .tryFindChild('Notifications')
    ?.node.tryFindChild('HandlerPolicy');
  if (notificationsPolicy) {
    acknowledgements.push(
      ...inBothPacks(
        notificationsPolicy,
        'IAMNoInlinePolicy',
        "aws-cdk-lib's own deploy-time function that turns on EventBridge delivery for the " +
          'upload bucket attaches this policy (s3:PutBucketNotification on this bucket) to its ' +
          'own role; neither is configurable.',
      ),
    );
  }

  const { bucket, accessLogBucket } = stack.uploads;
  acknowledgements.push(
    ...inBothPacks(
      bucket,
      'S3BucketReplicationEnabled',
      'Replication would copy patient-level files to a second region, and London is the only UK ' +
        'region: NHS data-residency terms keep them in the UK. Recovery relies on versioning ' +
        '(90 days of noncurrent versions), a bucket retained on stack deletion, and the trust ' +
        'system of record, which can upload the file again.',
    ),
    ...inBothPacks(
      accessLogBucket,
      'S3BucketReplicationEnabled',
      'Access logs carry request metadata (source IPs, object keys naming trusts and periods) ' +
        'that stays in the UK region like the files it describes; the bucket is versioned, ' +
        'retained on stack deletion and keeps logs 400 days.',
    ),
    ...inBothPacks(
      accessLogBucket,
      'S3DefaultEncryptionKMS',
      'S3 server access log delivery writes only to buckets with SSE-S3 default encryption; ' +
        'SSE-KMS is not supported for the target bucket. It is private, TLS-only and holds no ' +
        'file content.',
    ),
  );

  const stage = stack.reportApi.api.deploymentStage;
  acknowledgements.push(
    ...inBothPacks(
      stage,
      'APIGWCacheEnabledAndEncrypted',
      "No stage cache: the function scopes every answer to the caller's trust and API " +
        "Gateway's cache key does not include the caller, so a cached answer could reach " +
        'another trust; figures also change with each accepted submission. Nothing is cached, ' +
        'so there is no cache to encrypt.',
    ),
    ...inBothPacks(
      stage,
      'APIGWSSLEnabled',
      'The rule asks for a client certificate, which API Gateway presents only to HTTP ' +
        'backends; every integration here is a Lambda proxy invoked with SigV4-signed requests. ' +
        'Callers reach the REST API over HTTPS only.',
    ),
    {
      scope: stage,
      id: 'NIST.800.53.R5-APIGWAssociatedWithWAF',
      reason:
        'Every data route needs a Cognito token with MFA behind it, and the stage is throttled; a ' +
        'WAF web ACL is an account-level choice left to each alliance deployment.',
    },
  );
  return acknowledgements;
}

/** cdk-nag pack prefixes of the healthcare-relevant packs whose rule names coincide. */
const HEALTHCARE_PACKS = ['HIPAA.Security', 'NIST.800.53.R5'] as const;

/** The same finding of the HIPAA and the NIST 800-53 R5 packs, with one reason. */
function inBothPacks(scope: IConstruct, rule: string, reason: string): NagAcknowledgement[] {
  return HEALTHCARE_PACKS.map((pack) => ({ scope, id: `${pack}-${rule}`, reason }));
}

const SYNCHRONOUS_ONLY =
  'Invoked synchronously only (Step Functions LambdaInvoke request-response, API Gateway ' +
  'proxy): a failure returns to the caller, which retries, catches, marks the submission failed ' +
  'and alerts (workflow) or answers 5xx (API). Lambda uses a dead-letter queue only for ' +
  'asynchronous invocations, so one here would stay empty.';

const NO_VPC =
  'The function calls only AWS regional APIs (S3, DynamoDB, Step Functions) over TLS with ' +
  'IAM-scoped SigV4 requests and fronts no resource in a VPC; Enrich and FundingApi download ' +
  'public reference data (postcode to LSOA, IMD), which inside a VPC would need a NAT gateway ' +
  'per AZ. Data access is scoped by IAM and bucket and key policies, not by network.';

/** Every {@link PlatformFunction} in the stack, wherever in the tree it was created. */
export function platformFunctions(stack: AllianceStack): PlatformFunction[] {
  return stack.node.findAll().filter((node) => node instanceof PlatformFunction);
}

/** Records every acknowledgement of {@link nagAcknowledgements} on its construct. */
export function acknowledgeNagFindings(stack: AllianceStack): void {
  for (const { scope, id, reason } of nagAcknowledgements(stack)) {
    Validations.of(scope).acknowledge({ id, reason });
  }
}
