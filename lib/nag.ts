import { type CfnElement, Validations } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, type IConstruct } from 'constructs';
import type { AllianceStack } from './alliance-stack';
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

  for (const fn of stack.handlers.all()) {
    acknowledgements.push({
      scope: fn.role,
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no ' +
        'resource-level permissions.',
    });
  }

  const stateMachine = stack.ingest.stateMachine;
  acknowledgements.push({
    scope: stateMachine,
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery, ' +
      'logs:PutResourcePolicy, …) support no resource-level permissions.',
  });
  const apiFunctions = [stack.handlers.reportApi, stack.handlers.fundingApi];
  const workflowFunctions = stack.handlers.all().filter((fn) => !apiFunctions.includes(fn));
  for (const fn of workflowFunctions) {
    acknowledgements.push({
      scope: stateMachine,
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
    scope: deadlines.checkFunction.role,
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no ' +
      'resource-level permissions.',
  });
  acknowledgements.push({
    scope: deadlines.stateMachine,
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery, ' +
      'logs:PutResourcePolicy, …) support no resource-level permissions.',
  });
  acknowledgements.push({
    scope: deadlines.stateMachine,
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
  return acknowledgements;
}

/** Records every acknowledgement of {@link nagAcknowledgements} on its construct. */
export function acknowledgeNagFindings(stack: AllianceStack): void {
  for (const { scope, id, reason } of nagAcknowledgements(stack)) {
    Validations.of(scope).acknowledge({ id, reason });
  }
}
