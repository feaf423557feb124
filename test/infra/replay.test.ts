import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeAlliance } from '../../lib/synth';
import { allRolePolicies, isAllowed, rolePolicy } from './helpers/policy';
import {
  environmentOf,
  functionByHandler,
  props,
  render,
  resourcesOfType,
  roleOfFunction,
  type Template,
} from './helpers/template';

/**
 * POST /replay: its function alone among the functions may start the ingest workflow, on that
 * state machine only, and the route is for authenticated callers with a period.
 */
let template: Template;
let ingest: string;

beforeAll(() => {
  ({ template } = synthesizeAlliance());
  // the ingest state machine is the target of the rule on uploads' Object Created events
  const [, rule] =
    resourcesOfType(template, 'AWS::Events::Rule').find(([, r]) =>
      JSON.stringify(props(r).EventPattern).includes('Object Created'),
    ) ?? [];
  const targets = (rule ? props(rule).Targets : []) as Array<{ Arn: never }>;
  ingest = render(targets[0]?.Arn);
});

describe('the replay function', () => {
  it('knows the ingest state machine and may start executions of it, nothing else', () => {
    const [, replay] = functionByHandler(template, 'lambdas/handlers/replay-api.ts');
    const policy = rolePolicy(template, roleOfFunction(replay));

    expect(render(environmentOf(replay).STATE_MACHINE_ARN)).toBe(ingest);
    expect(isAllowed(policy, 'states:StartExecution', ingest)).toBe(true);
    expect(isAllowed(policy, 'states:StartExecution', '<SomeOtherStateMachine>')).toBe(false);
    expect(isAllowed(policy, 'states:StopExecution', ingest)).toBe(false);
  });

  it('is the only function role allowed to start the ingest workflow', () => {
    const functionRoles = new Set(
      resourcesOfType(template, 'AWS::Lambda::Function').map(([, fn]) => roleOfFunction(fn)),
    );
    const starters = allRolePolicies(template)
      .filter((policy) => functionRoles.has(policy.roleId))
      .filter((policy) => isAllowed(policy, 'states:StartExecution', ingest))
      .map((policy) => policy.roleId);
    const [, replay] = functionByHandler(template, 'lambdas/handlers/replay-api.ts');

    expect(starters).toEqual([roleOfFunction(replay)]);
  });

  it('is behind POST /replay with the Cognito authoriser and a required period', () => {
    const methods = resourcesOfType(template, 'AWS::ApiGateway::Method').filter(
      ([, method]) => props(method).HttpMethod === 'POST',
    );
    const [, replay] = functionByHandler(template, 'lambdas/handlers/replay-api.ts');
    const replayId = resourcesOfType(template, 'AWS::Lambda::Function').find(
      ([, fn]) => fn === replay,
    )?.[0];
    const method = methods.find(([, m]) =>
      JSON.stringify(props(m).Integration).includes(`${replayId}`),
    );

    expect(method).toBeDefined();
    expect(props(method![1])).toMatchObject({
      AuthorizationType: 'COGNITO_USER_POOLS',
      RequestParameters: {
        'method.request.querystring.period': true,
        'method.request.querystring.trust': false,
      },
    });
  });
});
