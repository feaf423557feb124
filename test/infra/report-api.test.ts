import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeAlliance } from '../../lib/synth';
import {
  type CfnResource,
  functionByHandler,
  type Json,
  logicalIdOf,
  onlyResourceOfType,
  props,
  render,
  resourcesOfType,
  type Template,
} from './helpers/template';

let template: Template;
let methods: Map<string, CfnResource>;

/** Full path of an API Gateway resource, walking ParentId up to the root. */
function pathOf(resourceRef: Json | undefined): string {
  if (resourceRef && typeof resourceRef === 'object' && 'Fn::GetAtt' in resourceRef) return '';
  const id = logicalIdOf(resourceRef);
  const [, resource] = resourcesOfType(template, 'AWS::ApiGateway::Resource').find(
    ([candidate]) => candidate === id,
  ) ?? [undefined, undefined];
  if (!resource) throw new Error(`no API resource ${id}`);
  return `${pathOf(props(resource).ParentId)}/${props(resource).PathPart}`;
}

function method(path: string): Record<string, Json> {
  const found = methods.get(path);
  if (!found) throw new Error(`no method on ${path}`);
  return props(found);
}

beforeAll(() => {
  ({ template } = synthesizeAlliance());
  methods = new Map(
    resourcesOfType(template, 'AWS::ApiGateway::Method').map(([, resource]) => [
      `${props(resource).HttpMethod} ${pathOf(props(resource).ResourceId)}`,
      resource,
    ]),
  );
});

describe('report API routes', () => {
  it('has exactly the routes of the contract', () => {
    // Assess
    expect([...methods.keys()].sort()).toEqual(
      [
        'GET /health',
        'GET /performance',
        'GET /submissions',
        'GET /submissions/{id}',
        'GET /submissions/{id}/report',
        'POST /validate',
        'GET /backlog',
        'POST /funding/allocations',
        'GET /funding/allocations/{id}',
        'GET /performance/series',
        'GET /alerts',
        'GET /quality',
        'POST /uploads',
        'POST /replay',
      ].sort(),
    );
  });

  it('leaves /health open and puts the Cognito authoriser on the other routes', () => {
    // Prepare
    const [authorizerId, authorizer] = onlyResourceOfType(template, 'AWS::ApiGateway::Authorizer');
    const [userPoolId] = onlyResourceOfType(template, 'AWS::Cognito::UserPool');

    // Assess
    expect(props(authorizer).Type).toBe('COGNITO_USER_POOLS');
    expect((props(authorizer).ProviderARNs as Json[]).map(render)).toEqual([`<${userPoolId}.Arn>`]);
    expect(method('GET /health').AuthorizationType).toBe('NONE');
    for (const route of [
      'GET /submissions',
      'GET /submissions/{id}',
      'GET /submissions/{id}/report',
      'POST /validate',
      'GET /performance',
      'GET /backlog',
    ]) {
      expect(method(route).AuthorizationType, route).toBe('COGNITO_USER_POOLS');
      expect(render(method(route).AuthorizerId), route).toBe(`<${authorizerId}>`);
    }
  });

  it('declares the contract parameters, required or optional', () => {
    // Assess: from the contract's route table.
    expect(method('GET /submissions').RequestParameters).toEqual({
      'method.request.querystring.trust': false,
    });
    expect(method('GET /submissions/{id}').RequestParameters).toEqual({
      'method.request.path.id': true,
    });
    // the report's format is optional (JSON by default); the dry run needs trust and period
    expect(method('GET /submissions/{id}/report').RequestParameters).toEqual({
      'method.request.path.id': true,
      'method.request.querystring.format': false,
    });
    expect(method('POST /validate').RequestParameters).toEqual({
      'method.request.querystring.trust': true,
      'method.request.querystring.period': true,
      'method.request.querystring.encoding': false,
    });
    expect(method('GET /performance').RequestParameters).toEqual({
      'method.request.querystring.standard': true,
      'method.request.querystring.from': true,
      'method.request.querystring.to': true,
      'method.request.querystring.trust': false,
      'method.request.querystring.by': false,
      'method.request.querystring.disclosure': false,
      'method.request.querystring.allocation': false,
    });
    expect(method('GET /backlog').RequestParameters).toEqual({
      'method.request.querystring.period': true,
      'method.request.querystring.trust': false,
      'method.request.querystring.by': false,
      'method.request.querystring.disclosure': false,
    });
  });

  it('validates body and parameters on every route', () => {
    // Prepare
    const [validatorId, validator] = onlyResourceOfType(
      template,
      'AWS::ApiGateway::RequestValidator',
    );

    // Assess
    expect(props(validator)).toMatchObject({
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    for (const [route] of methods) {
      expect(render(method(route).RequestValidatorId), route).toBe(`<${validatorId}>`);
    }
  });

  it('sends each route to its function as a Lambda proxy: reads to ReportApi, writes apart', () => {
    // Prepare: routes that write or start work have functions of their own, so the read-only
    // ReportApi never holds those rights (funding: test/infra/funding.test.ts; uploads:
    // uploads.test.ts; replay: replay.test.ts).
    const OWN_FUNCTION: Record<string, string> = {
      'POST /funding/allocations': 'lambdas/handlers/funding-api.ts',
      'GET /funding/allocations/{id}': 'lambdas/handlers/funding-api.ts',
      'POST /uploads': 'lambdas/handlers/upload-api.ts',
      'POST /replay': 'lambdas/handlers/replay-api.ts',
    };

    for (const [route] of methods) {
      const [functionId] = functionByHandler(
        template,
        OWN_FUNCTION[route] ?? 'lambdas/handlers/report-api.ts',
      );
      // Assess
      const integration = method(route).Integration as Record<string, Json>;
      expect(integration.Type, route).toBe('AWS_PROXY');
      expect(integration.IntegrationHttpMethod, route).toBe('POST');
      expect(render(integration.Uri), route).toContain(`<${functionId}.Arn>`);
    }
  });
});

describe('report API stage', () => {
  it('traces, logs INFO without data and writes JSON access logs to an encrypted group', () => {
    // Prepare
    const [, stage] = onlyResourceOfType(template, 'AWS::ApiGateway::Stage');
    const access = props(stage).AccessLogSetting as { DestinationArn: Json; Format: string };
    const [, logGroupRef] = render(access.DestinationArn).match(/log-group:<([^>]+)>/) ?? [];
    const [, logGroup] =
      resourcesOfType(template, 'AWS::Logs::LogGroup').find(([id]) => id === logGroupRef) ?? [];

    // Assess
    expect(props(stage).TracingEnabled).toBe(true);
    expect(props(stage).MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'INFO',
        DataTraceEnabled: false,
      }),
    ]);
    expect(JSON.parse(access.Format)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      userSub: '$context.authorizer.claims.sub',
    });
    expect(logGroup && props(logGroup).KmsKeyId).toBeDefined();
  });
});

describe('user pool', () => {
  it('admits no self sign-up and requires strong passwords and TOTP MFA', () => {
    // Prepare
    const [, pool] = onlyResourceOfType(template, 'AWS::Cognito::UserPool');
    const resource = pool as CfnResource & { DeletionPolicy?: string };

    // Assess
    expect(props(pool).AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
    expect(props(pool).Policies).toMatchObject({
      PasswordPolicy: {
        MinimumLength: 12,
        RequireLowercase: true,
        RequireUppercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
      },
    });
    expect(props(pool).MfaConfiguration).toBe('ON');
    expect(props(pool).EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(props(pool).UserPoolTier).toBe('PLUS');
    expect(props(pool).UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    expect(props(pool).DeletionProtection).toBe('ACTIVE');
    expect(resource.DeletionPolicy).toBe('Retain');
  });

  it('has the alliance group and one group per configured trust', () => {
    // Prepare: NEL's trusts R1H, RF4, RQX.
    const names = resourcesOfType(template, 'AWS::Cognito::UserPoolGroup').map(
      ([, group]) => props(group).GroupName,
    );

    // Assess
    expect(names.sort()).toEqual(['alliance', 'trust-R1H', 'trust-RF4', 'trust-RQX']);
  });

  it('has a public app client without a secret', () => {
    // Prepare
    const [, client] = onlyResourceOfType(template, 'AWS::Cognito::UserPoolClient');

    // Assess
    expect(props(client).GenerateSecret).toBe(false);
    expect(props(client).ExplicitAuthFlows).toContain('ALLOW_USER_SRP_AUTH');
  });
});
