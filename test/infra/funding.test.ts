import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeAlliance } from '../../lib/synth';
import {
  actionsOf,
  type CfnResource,
  environmentOf,
  functionByHandler,
  type Json,
  logicalIdOf,
  onlyResourceOfType,
  props,
  render,
  resources,
  resourcesOf,
  resourcesOfType,
  roleOfFunction,
  roleStatements,
  type Template,
} from './helpers/template';

/** The funding routes, their function and their table, as synthesized. */
let template: Template;
let fundingId: string;
let funding: CfnResource;

function resource(id: string): CfnResource {
  const item = resources(template)[id];
  if (!item) throw new Error(`no resource ${id}`);
  return item;
}

/** The API Gateway method at a path (`/funding/allocations`) and verb. */
function method(path: string, verb: string): Record<string, Json> {
  const apiResources = resourcesOfType(template, 'AWS::ApiGateway::Resource');
  const pathOf = (ref: Json | undefined): string => {
    if (ref && typeof ref === 'object' && 'Fn::GetAtt' in ref) return '';
    const [, found] = apiResources.find(([id]) => id === logicalIdOf(ref)) ?? [];
    if (!found) throw new Error(`no API resource ${render(ref)}`);
    return `${pathOf(props(found).ParentId)}/${props(found).PathPart}`;
  };
  const [, found] =
    resourcesOfType(template, 'AWS::ApiGateway::Method').find(
      ([, m]) => props(m).HttpMethod === verb && pathOf(props(m).ResourceId) === path,
    ) ?? [];
  if (!found) throw new Error(`no ${verb} ${path}`);
  return props(found);
}

beforeAll(() => {
  ({ template } = synthesizeAlliance());
  [fundingId, funding] = functionByHandler(template, 'lambdas/handlers/funding-api.ts');
});

describe('funding routes', () => {
  it('puts both routes behind the Cognito authoriser and the FundingApi function', () => {
    // Prepare
    const [authorizerId] = onlyResourceOfType(template, 'AWS::ApiGateway::Authorizer');

    for (const [path, verb] of [
      ['/funding/allocations', 'POST'],
      ['/funding/allocations/{id}', 'GET'],
    ] as const) {
      // Act
      const m = method(path, verb);
      const integration = m.Integration as Record<string, Json>;

      // Assess
      expect(m.AuthorizationType, path).toBe('COGNITO_USER_POOLS');
      expect(render(m.AuthorizerId), path).toBe(`<${authorizerId}>`);
      expect(integration.Type, path).toBe('AWS_PROXY');
      expect(render(integration.Uri), path).toContain(`<${fundingId}.Arn>`);
    }
    expect(method('/funding/allocations/{id}', 'GET').RequestParameters).toEqual({
      'method.request.path.id': true,
    });
  });

  it('validates the POST body against a JSON-schema model of the request structure', () => {
    // Prepare
    const post = method('/funding/allocations', 'POST');
    const [validatorId, validator] = onlyResourceOfType(
      template,
      'AWS::ApiGateway::RequestValidator',
    );
    const modelRef = (post.RequestModels as Record<string, Json>)['application/json'];
    const [, model] =
      resourcesOfType(template, 'AWS::ApiGateway::Model').find(
        ([id]) => id === logicalIdOf(modelRef),
      ) ?? [];
    const schema = (model ? props(model).Schema : {}) as Record<string, Json>;

    // Assess: the validator checks bodies; the model names the request's required fields and
    // rejects unknown ones, but leaves ranges (negative weights, sums) to the function's 400.
    expect(render(post.RequestValidatorId)).toBe(`<${validatorId}>`);
    expect(props(validator).ValidateRequestBody).toBe(true);
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['budget', 'unit', 'window', 'weights']);
    expect(schema.additionalProperties).toBe(false);
    const properties = schema.properties as Record<string, Record<string, Json>>;
    expect(properties.unit?.enum).toEqual(['place', 'trust']);
    expect(properties.weights).toMatchObject({
      type: 'object',
      required: ['need', 'gap', 'equal'],
      additionalProperties: false,
    });
    expect(JSON.stringify(properties.weights)).not.toContain('minimum');
  });
});

describe('allocations store', () => {
  it('keeps allocations in their own table, keyed by allocationId, like the others', () => {
    // Prepare
    const tableId = logicalIdOf(environmentOf(funding).ALLOCATIONS_TABLE);
    const table = resource(tableId) as CfnResource & { DeletionPolicy?: string };
    const replica = (props(table).Replicas as Record<string, Json>[])[0] ?? {};

    // Assess
    expect(props(table).KeySchema).toEqual([{ AttributeName: 'allocationId', KeyType: 'HASH' }]);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(props(table).SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(replica).toMatchObject({
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('lets FundingApi read aggregates and add allocations, never change or delete them', () => {
    // Prepare
    const env = environmentOf(funding);
    const allocations = `<${logicalIdOf(env.ALLOCATIONS_TABLE)}.Arn>`;
    const aggregates = `<${logicalIdOf(env.AGGREGATES_TABLE)}.Arn>`;
    const statements = roleStatements(template, roleOfFunction(funding));
    const on = (arn: string) =>
      statements.filter((s) => resourcesOf(s).includes(arn)).flatMap(actionsOf);
    const dynamoResources = statements
      .filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))
      .flatMap(resourcesOf);

    // Assess
    expect(on(allocations)).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']),
    );
    for (const action of [
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ]) {
      expect(on(allocations)).not.toContain(action);
    }
    expect(on(aggregates)).toContain('dynamodb:Query');
    expect(on(aggregates)).not.toContain('dynamodb:PutItem');
    expect(new Set(dynamoResources)).toEqual(new Set([allocations, aggregates]));
    expect(statements.flatMap(actionsOf).some((a) => a.startsWith('s3:'))).toBe(false);
  });
});
