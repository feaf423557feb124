import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeAlliance } from '../../lib/synth';
import {
  type CfnResource,
  functionByHandler,
  type Json,
  onlyResourceOfType,
  props,
  render,
  resourcesOfType,
  type Template,
} from './helpers/template';

/** GET /quality (data-quality scorecard): an authorised route of the report function. */
let template: Template;
let quality: CfnResource | undefined;

beforeAll(() => {
  ({ template } = synthesizeAlliance());
  const [resourceId] =
    resourcesOfType(template, 'AWS::ApiGateway::Resource').find(
      ([, resource]) => props(resource).PathPart === 'quality',
    ) ?? [];
  quality = resourcesOfType(template, 'AWS::ApiGateway::Method')
    .map(([, resource]) => resource)
    .find(
      (resource) =>
        props(resource).HttpMethod === 'GET' &&
        render(props(resource).ResourceId) === `<${resourceId}>`,
    );
});

describe('GET /quality', () => {
  it('sits under the root, behind the Cognito authoriser', () => {
    // Prepare
    const [authorizerId] = onlyResourceOfType(template, 'AWS::ApiGateway::Authorizer');
    const [, resource] =
      resourcesOfType(template, 'AWS::ApiGateway::Resource').find(
        ([, candidate]) => props(candidate).PathPart === 'quality',
      ) ?? [];

    // Assess: the parent is the API's root resource, not another path
    expect(render(resource && props(resource).ParentId)).toMatch(/\.RootResourceId>$/);
    expect(quality).toBeDefined();
    const method = props(quality as CfnResource);
    expect(method.AuthorizationType).toBe('COGNITO_USER_POOLS');
    expect(render(method.AuthorizerId)).toBe(`<${authorizerId}>`);
  });

  it('requires from and to, and lets an optional trust through the request validator', () => {
    const method = props(quality as CfnResource);
    expect(method.RequestParameters).toEqual({
      'method.request.querystring.from': true,
      'method.request.querystring.to': true,
      'method.request.querystring.trust': false,
    });
    expect(method.RequestValidatorId).toBeDefined();
  });

  it('is served by the report API function as a Lambda proxy', () => {
    // Prepare
    const [reportApiId] = functionByHandler(template, 'lambdas/handlers/report-api.ts');

    // Assess
    const integration = props(quality as CfnResource).Integration as Record<string, Json>;
    expect(integration.Type).toBe('AWS_PROXY');
    expect(render(integration.Uri)).toContain(`<${reportApiId}.Arn>`);
  });
});
