import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeAlliance } from '../../lib/synth';
import {
  actionsOf,
  allowedPairs,
  functionByHandler,
  type Json,
  logicalIdOf,
  onlyResourceOfType,
  props,
  render,
  resourcesOfType,
  roleOfFunction,
  type Statement,
  statementsIn,
  type Template,
} from './helpers/template';

let template: Template;
let bucketId: string;

/**
 * Every statement of the identity policies attached to a role, whichever kind holds them
 * (inline DefaultPolicy, AWS::IAM::Policy or a customer-managed AWS::IAM::ManagedPolicy).
 */
function statementsOfRole(roleId: string): Statement[] {
  const statements: Statement[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [, policy] of resourcesOfType(template, type)) {
      const roles = (props(policy).Roles ?? []) as Json[];
      if (roles.some((role) => render(role) === `<${roleId}>`)) {
        statements.push(...statementsIn(props(policy).PolicyDocument));
      }
    }
  }
  return statements;
}

function roleStatementsOf(entry: string): Statement[] {
  const [, fn] = functionByHandler(template, entry);
  return statementsOfRole(roleOfFunction(fn));
}

/** The POST /uploads method (the only method on a root resource with path part `uploads`). */
function uploadsMethod(): Record<string, Json> {
  const [resourceId] =
    resourcesOfType(template, 'AWS::ApiGateway::Resource').find(
      ([, resource]) => props(resource).PathPart === 'uploads',
    ) ?? [];
  const found = resourcesOfType(template, 'AWS::ApiGateway::Method').filter(
    ([, method]) => logicalIdOf(props(method).ResourceId) === resourceId,
  );
  expect(found).toHaveLength(1);
  return props(found[0]![1]);
}

beforeAll(() => {
  const synthesized = synthesizeAlliance();
  template = synthesized.template;
  const { stack } = synthesized;
  bucketId = stack.getLogicalId(stack.uploads.bucket.node.defaultChild as CfnElement);
});

describe('POST /uploads', () => {
  it('is a POST behind the Cognito authoriser, integrated with the upload function', () => {
    // Prepare
    const [authorizerId] = onlyResourceOfType(template, 'AWS::ApiGateway::Authorizer');
    const [uploadFunctionId] = functionByHandler(template, 'lambdas/handlers/upload-api.ts');

    // Act
    const method = uploadsMethod();

    // Assess
    expect(method.HttpMethod).toBe('POST');
    expect(method.AuthorizationType).toBe('COGNITO_USER_POOLS');
    expect(logicalIdOf(method.AuthorizerId)).toBe(authorizerId);
    const integration = method.Integration as Record<string, Json>;
    expect(integration.Type).toBe('AWS_PROXY');
    expect(JSON.stringify(integration.Uri)).toContain(`"${uploadFunctionId}"`);
  });

  it("lets the upload function's role put objects under uploads/ and do nothing else in S3", () => {
    // Act
    const statements = roleStatementsOf('lambdas/handlers/upload-api.ts');
    const s3Pairs = [...allowedPairs(statements)].filter((pair) => pair.startsWith('s3:'));

    // Assess: one right, one prefix; no Get, List, Delete, multipart or wildcard action.
    expect(s3Pairs).toEqual([`s3:PutObject on <${bucketId}.Arn>/uploads/*`]);
    const actions = statements.flatMap(actionsOf);
    for (const forbidden of ['s3:GetObject', 's3:ListBucket', 's3:DeleteObject', 's3:*']) {
      expect(actions).not.toContain(forbidden);
    }
    expect(actions.some((action) => action.startsWith('dynamodb:'))).toBe(false);
  });

  it('lets the upload function use the data key only through S3, to encrypt', () => {
    // Act
    const kmsStatements = roleStatementsOf('lambdas/handlers/upload-api.ts').filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('kms:')),
    );

    // Assess: a single PUT needs GenerateDataKey; no Decrypt, so no URL it signs can read.
    expect(kmsStatements.flatMap(actionsOf).sort()).toEqual(['kms:GenerateDataKey']);
    for (const statement of kmsStatements) {
      expect(JSON.stringify(statement.Condition)).toContain('kms:ViaService');
    }
  });

  it('leaves the report API without any right to write uploads/', () => {
    // Act
    const actions = roleStatementsOf('lambdas/handlers/report-api.ts').flatMap(actionsOf);

    // Assess
    expect(actions).not.toContain('s3:PutObject');
  });

  it('needs no SSE headers from the client: the bucket policy does not demand them', () => {
    // Prepare: if a policy ever requires x-amz-server-side-encryption on PutObject, presigned
    // URLs must sign those headers and return them in `headers` (lambdas/adapters/upload-urls.ts).
    const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(
      ([, policy]) => logicalIdOf(props(policy).Bucket) === bucketId,
    );

    // Act
    const text = JSON.stringify(policies.map(([, policy]) => props(policy).PolicyDocument));

    // Assess
    expect(text).not.toContain('s3:x-amz-server-side-encryption');
  });

  it('gives the upload function its default URL lifetime', () => {
    // Prepare
    const [, fn] = functionByHandler(template, 'lambdas/handlers/upload-api.ts');

    // Act
    const variables = (props(fn).Environment as { Variables: Record<string, Json> }).Variables;

    // Assess: 15 min = 900 s.
    expect(variables.UPLOAD_URL_TTL_SECONDS).toBe('900');
  });
});
