import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeAlliance } from '../../lib/synth';
import {
  type AslState,
  allowedPairs,
  allStates,
  type CfnResource,
  functionByHandler,
  type Json,
  logicalIdOf,
  onlyResourceOfType,
  onlyResourceOfTypeIn,
  props,
  render,
  resourcesOfType,
  roleStatements,
  stateMachineDefinition,
  type Template,
} from './helpers/template';

/**
 * The alert additions to the stack: the scheduled SubmissionDeadlines workflow (EventBridge
 * schedule → Check deadlines → Map → SNS) and the report API's /performance/series and /alerts.
 */

let template: Template;
let states: Map<string, AslState>;
let machineId: string;
let machine: CfnResource;

function state(name: string): AslState {
  const found = states.get(name);
  if (!found) throw new Error(`no state ${name}`);
  return found;
}

/** `GET /a/b` → the method resource, by walking each API resource's ParentId. */
function methodsByRoute(): Map<string, CfnResource> {
  const resources = new Map(resourcesOfType(template, 'AWS::ApiGateway::Resource'));
  const pathOf = (ref: Json | undefined): string => {
    if (ref && typeof ref === 'object' && 'Fn::GetAtt' in ref) return '';
    const resource = resources.get(logicalIdOf(ref));
    if (!resource) throw new Error('unknown API resource');
    return `${pathOf(props(resource).ParentId)}/${props(resource).PathPart}`;
  };
  return new Map(
    resourcesOfType(template, 'AWS::ApiGateway::Method').map(([, method]) => [
      `${props(method).HttpMethod} ${pathOf(props(method).ResourceId)}`,
      method,
    ]),
  );
}

beforeAll(() => {
  ({ template } = synthesizeAlliance());
  states = allStates(stateMachineDefinition(template, 'SubmissionDeadlines'));
  [machineId, machine] = onlyResourceOfTypeIn(
    template,
    'AWS::StepFunctions::StateMachine',
    'SubmissionDeadlines',
  );
});

describe('submission deadline workflow', () => {
  it('checks, then publishes each alert through an inline Map straight to SNS', () => {
    // Prepare
    const [checkId] = functionByHandler(template, 'lambdas/handlers/check-deadlines.ts');
    const [topicId] = onlyResourceOfType(template, 'AWS::SNS::Topic');

    // Assess
    expect([...states.keys()].sort()).toEqual(
      ['Check deadlines', 'Publish deadline alerts', 'Publish deadline alert', 'Checked'].sort(),
    );
    expect(state('Check deadlines')).toMatchObject({
      Type: 'Task',
      Resource: JSON.stringify({ 'Fn::GetAtt': [checkId, 'Arn'] }),
      ResultPath: '$.check',
      Next: 'Publish deadline alerts',
    });
    expect(state('Check deadlines').Retry).toEqual([
      {
        ErrorEquals: [
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
          'TransientError',
        ],
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxAttempts: 4,
      },
    ]);
    const map = state('Publish deadline alerts');
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.check.alerts',
      MaxConcurrency: 5,
      ResultPath: null,
      Next: 'Checked',
    });
    expect(map.ItemProcessor?.ProcessorConfig).toMatchObject({ Mode: 'INLINE' });
    expect(state('Publish deadline alert').Resource).toMatch(/:states:::sns:publish$/);
    expect(state('Publish deadline alert').Parameters).toEqual({
      TopicArn: JSON.stringify({ Ref: topicId }),
      'Subject.$': '$.subject',
      'Message.$': '$.message',
    });
  });

  it('is JSONPath only, STANDARD, traced and logged to an encrypted group', () => {
    // Prepare
    const text = JSON.stringify([...states.values()]);
    const logging = props(machine).LoggingConfiguration as {
      Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: Json } }[];
      Level: string;
    };
    const logGroupId = logicalIdOf(logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn);
    const [, logGroup] =
      resourcesOfType(template, 'AWS::Logs::LogGroup').find(([id]) => id === logGroupId) ?? [];

    // Assess
    for (const forbidden of ['QueryLanguage', 'Arguments', 'Assign', '"Output"', '{%']) {
      expect(text.includes(forbidden), forbidden).toBe(false);
    }
    expect(props(machine).StateMachineType).toBe('STANDARD');
    expect(props(machine).TracingConfiguration).toEqual({ Enabled: true });
    expect(logging.Level).toBe('ALL');
    expect(logGroup && props(logGroup).KmsKeyId).toBeDefined();
  });

  it('may invoke only the check function and publish only to the alerts topic', () => {
    // Prepare
    const [checkId] = functionByHandler(template, 'lambdas/handlers/check-deadlines.ts');
    const [topicId] = onlyResourceOfType(template, 'AWS::SNS::Topic');
    const pairs = [...allowedPairs(roleStatements(template, logicalIdOf(props(machine).RoleArn)))];

    // Assess
    expect(pairs.filter((pair) => pair.startsWith('lambda:InvokeFunction')).sort()).toEqual(
      [
        `lambda:InvokeFunction on <${checkId}.Arn>`,
        `lambda:InvokeFunction on <${checkId}.Arn>:*`,
      ].sort(),
    );
    expect(pairs.filter((pair) => pair.startsWith('sns:'))).toEqual([
      `sns:Publish on <${topicId}>`,
    ]);
    expect(pairs.some((pair) => pair.startsWith('s3:') || pair.startsWith('dynamodb:'))).toBe(
      false,
    );
  });

  it('runs daily on an EventBridge schedule that starts the workflow', () => {
    // Prepare
    const [, rule] = onlyResourceOfTypeIn(template, 'AWS::Events::Rule', 'SubmissionDeadlines');
    const targets = props(rule).Targets as Record<string, Json>[];

    // Assess
    expect(props(rule).ScheduleExpression).toBe('cron(0 7 * * ? *)');
    expect(props(rule).EventPattern).toBeUndefined();
    expect(targets).toHaveLength(1);
    expect(render(targets[0]?.Arn)).toBe(`<${machineId}>`);
    expect(targets[0]?.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 4 });
  });
});

describe('report API routes for series and alerts', () => {
  it('puts both behind the Cognito authoriser and declares their query parameters', () => {
    // Prepare
    const methods = methodsByRoute();
    const method = (route: string) => {
      const found = methods.get(route);
      if (!found) throw new Error(`no method ${route}`);
      return props(found);
    };

    // Assess
    for (const route of ['GET /performance/series', 'GET /alerts']) {
      expect(method(route).AuthorizationType, route).toBe('COGNITO_USER_POOLS');
      expect(method(route).RequestValidatorId, route).toBeDefined();
      expect((method(route).Integration as Record<string, Json>).Type, route).toBe('AWS_PROXY');
    }
    expect(method('GET /performance/series').RequestParameters).toEqual({
      'method.request.querystring.standard': true,
      'method.request.querystring.from': true,
      'method.request.querystring.to': true,
      'method.request.querystring.trust': false,
    });
    expect(method('GET /alerts').RequestParameters).toEqual({
      'method.request.querystring.trust': false,
      'method.request.querystring.kind': false,
      'method.request.querystring.period': false,
      'method.request.querystring.from': false,
      'method.request.querystring.to': false,
    });
  });
});
