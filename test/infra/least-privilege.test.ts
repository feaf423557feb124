/**
 * Least privilege, proved from the IAM policies of the synthesized template with a small policy
 * evaluator (helpers/policy.ts): each question is "may this role do this action on this object?",
 * so widening any grant (a wildcard action, `<Bucket>/*`, a new statement on another role) fails
 * here, whatever the policy text looks like.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AllianceConfig } from '../../lambdas/core/config';
import { synthesizeAlliance } from '../../lib/synth';
import {
  allowsWholeService,
  allRolePolicies,
  evaluated,
  grantsFor,
  isAllowed,
  policyDocuments,
  type RolePolicy,
  rolePolicy,
} from './helpers/policy';
import {
  environmentOf,
  functionByHandler,
  type Json,
  logicalIdOf,
  resourcesOfType,
  roleOfFunction,
  type Statement,
  type Template,
} from './helpers/template';

let template: Template;
let config: AllianceConfig;
let bucket: string;
let trusts: string[];

/** An object a trust uploads: `uploads/{ODS}/cwt/{YYYY-MM}/{file}`. */
const uploadKey = (ods: string) => `${bucket}/uploads/${ods}/cwt/2025-06/cwt-2025-06.csv`;

/** Actions that read, list, delete or re-permission objects: none is an upload. */
const NON_UPLOAD_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectAttributes',
  's3:GetObjectAcl',
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListMultipartUploadParts',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectAcl',
  's3:RestoreObject',
];

/** Actions that hand back an object's content. */
const READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];

function handlerRole(handler: string): RolePolicy {
  const [, fn] = functionByHandler(template, `lambdas/handlers/${handler}.ts`);
  return rolePolicy(template, roleOfFunction(fn));
}

function uploadRole(ods: string): RolePolicy {
  const outputs = template.Outputs as Record<string, { Value: Json }>;
  const output = outputs[`UploadRoleArn${ods}`];
  if (!output) throw new Error(`no upload role output for ${ods}`);
  return rolePolicy(template, logicalIdOf(output.Value));
}

beforeAll(() => {
  ({ template, config } = synthesizeAlliance());
  trusts = config.trusts.map((trust) => trust.ods);
  const [, register] = functionByHandler(template, 'lambdas/handlers/register.ts');
  bucket = `<${logicalIdOf(environmentOf(register).BUCKET_NAME)}.Arn>`;
});

describe('the policy evaluator', () => {
  // Prepare: a policy shaped like the report API's, and widened copies of it.
  const statement = (fields: Record<string, Json>) => evaluated(fields as unknown as Statement);
  const reportsOnly: RolePolicy = {
    roleId: 'Probe',
    statements: [
      statement({ Effect: 'Allow', Action: 's3:GetObject', Resource: '<B.Arn>/reports/*' }),
      statement({
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: '<B.Arn>',
        Condition: { StringLike: { 's3:prefix': ['reports/*'] } },
      }),
    ],
  };

  it('allows only what a statement names, by prefix and condition', () => {
    expect(isAllowed(reportsOnly, 's3:GetObject', '<B.Arn>/reports/s1.json')).toBe(true);
    expect(isAllowed(reportsOnly, 's3:getobject', '<B.Arn>/reports/s1.json')).toBe(true);
    expect(isAllowed(reportsOnly, 's3:GetObject', '<B.Arn>/uploads/R1H/a.csv')).toBe(false);
    expect(isAllowed(reportsOnly, 's3:PutObject', '<B.Arn>/reports/s1.json')).toBe(false);
    expect(isAllowed(reportsOnly, 's3:ListBucket', '<B.Arn>', { 's3:prefix': 'reports/' })).toBe(
      true,
    );
    expect(isAllowed(reportsOnly, 's3:ListBucket', '<B.Arn>', { 's3:prefix': 'uploads/' })).toBe(
      false,
    );
  });

  it('sees a widened grant through wildcards, and lets an explicit Deny win', () => {
    const widened: RolePolicy = {
      roleId: 'Probe',
      statements: [statement({ Effect: 'Allow', Action: 's3:Get*', Resource: '<B.Arn>/*' })],
    };
    const star: RolePolicy = {
      roleId: 'Probe',
      statements: [statement({ Effect: 'Allow', Action: 's3:*', Resource: '*' })],
    };
    const denied: RolePolicy = {
      roleId: 'Probe',
      statements: [
        ...star.statements,
        statement({ Effect: 'Deny', Action: 's3:GetObject', Resource: '<B.Arn>/uploads/*' }),
      ],
    };

    expect(isAllowed(widened, 's3:GetObject', '<B.Arn>/uploads/R1H/a.csv')).toBe(true);
    expect(isAllowed(star, 's3:GetObject', '<B.Arn>/uploads/R1H/a.csv')).toBe(true);
    expect(isAllowed(denied, 's3:GetObject', '<B.Arn>/uploads/R1H/a.csv')).toBe(false);
    expect(allowsWholeService(star, 's3')).toBe(true);
    expect(allowsWholeService(widened, 's3')).toBe(false);
    expect(allowsWholeService(reportsOnly, 's3')).toBe(false);
  });
});

describe("each trust's upload role", () => {
  it('may put objects under its own uploads/{ODS}/ prefix', () => {
    for (const ods of trusts) {
      expect(isAllowed(uploadRole(ods), 's3:PutObject', uploadKey(ods)), ods).toBe(true);
    }
  });

  it("may not put anywhere else: another trust's prefix, a look-alike prefix, other areas", () => {
    for (const ods of trusts) {
      // Prepare: `uploads/R1HX/` shares the text `uploads/R1H` but is another trust's folder.
      const role = uploadRole(ods);
      const elsewhere = [
        ...trusts.filter((other) => other !== ods).map(uploadKey),
        `${bucket}/uploads/${ods}X/cwt/2025-06/file.csv`,
        `${bucket}/uploads/file.csv`,
        `${bucket}/staging/${ods}/chunk-1.json`,
        `${bucket}/reports/s1.json`,
        `${bucket}/quarantine/${ods}/file.csv`,
      ];

      // Assess
      for (const key of elsewhere) {
        expect(isAllowed(role, 's3:PutObject', key), `${ods} → ${key}`).toBe(false);
      }
    }
  });

  it('may not read, list or delete, not even its own uploads', () => {
    for (const ods of trusts) {
      const role = uploadRole(ods);
      for (const action of NON_UPLOAD_ACTIONS) {
        for (const resource of [uploadKey(ods), bucket]) {
          const context = { 's3:prefix': `uploads/${ods}/` };
          expect(isAllowed(role, action, resource, context), `${ods} ${action} ${resource}`).toBe(
            false,
          );
        }
      }
    }
  });

  it('holds s3:PutObject and nothing else in S3, and uses the key only through S3', () => {
    for (const ods of trusts) {
      // Prepare
      const role = uploadRole(ods);
      const actions = role.statements.flatMap((statement) => statement.actions ?? []);

      // Assess: NotAction would allow everything it does not name.
      expect(role.statements.every((statement) => statement.notActions === undefined)).toBe(true);
      expect(actions.filter((action) => !action.startsWith('kms:'))).toEqual(['s3:PutObject']);
      for (const statement of role.statements.filter((s) => s.actions?.[0]?.startsWith('kms:'))) {
        expect(statement.conditions.StringEquals?.['kms:ViaService'], ods).toEqual([
          `s3.${config.region}.amazonaws.com`,
        ]);
      }
    }
  });
});

describe('reading uploads/', () => {
  it('is limited to the Validate and Quarantine steps, over every role in the stack', () => {
    // Prepare: Validate parses the file; Quarantine copies a rejected file to quarantine/ and
    // deletes the original. Enrich works on the staging/ chunks Validate writes, so it is not
    // among them, nor is any API, alerts or funding function, nor the workflow's own role.
    const expected = [handlerRole('validate').roleId, handlerRole('quarantine').roleId].sort();

    // Act
    const readers = allRolePolicies(template)
      .filter((policy) =>
        trusts.some((ods) =>
          READ_ACTIONS.some((action) => isAllowed(policy, action, uploadKey(ods))),
        ),
      )
      .map((policy) => policy.roleId)
      .sort();

    // Assess
    expect(readers).toEqual(expected);
  });

  it('is not allowed to the report API, which reads reports/ only', () => {
    // Prepare
    const role = handlerRole('report-api');

    // Assess: the report it serves is readable, and listable under reports/ only.
    expect(isAllowed(role, 's3:GetObject', `${bucket}/reports/s1/report.json`)).toBe(true);
    expect(isAllowed(role, 's3:ListBucket', bucket, { 's3:prefix': 'reports/' })).toBe(true);
    for (const ods of trusts) {
      for (const action of READ_ACTIONS) {
        expect(grantsFor(role, action, uploadKey(ods)), `${action} ${ods}`).toEqual([]);
      }
      expect(isAllowed(role, 's3:ListBucket', bucket, { 's3:prefix': `uploads/${ods}/` })).toBe(
        false,
      );
    }
    for (const area of ['staging', 'quarantine']) {
      expect(isAllowed(role, 's3:GetObject', `${bucket}/${area}/x`), area).toBe(false);
    }
  });

  it('is not allowed to the alerts and funding functions, which hold no S3 read at all', () => {
    for (const handler of ['evaluate', 'check-deadlines', 'funding-api']) {
      // Prepare
      const role = handlerRole(handler);

      // Assess
      for (const ods of trusts) {
        for (const action of READ_ACTIONS) {
          expect(isAllowed(role, action, uploadKey(ods)), `${handler} ${action}`).toBe(false);
        }
      }
      expect(isAllowed(role, 's3:ListBucket', bucket), handler).toBe(false);
      expect(isAllowed(role, 's3:GetObject', `${bucket}/reports/s1.json`), handler).toBe(false);
    }
  });
});

describe('every role', () => {
  it('has no service-wide wildcard on all resources (s3:*, dynamodb:*, kms:*, …)', () => {
    const services = ['s3', 'dynamodb', 'kms', 'iam', 'sts', 'sns', 'states', 'lambda', 'logs'];
    const offenders = allRolePolicies(template).flatMap((policy) =>
      services
        .filter((service) => allowsWholeService(policy, service))
        .map((service) => `${policy.roleId} ${service}:*`),
    );
    expect(offenders).toEqual([]);
  });

  it('leans on AWS managed policies (invisible to the evaluator) only where CDK fixes them', () => {
    // Prepare: API Gateway's account-level logging role and aws-cdk-lib's bucket-notification
    // function are the only roles whose policies are not in the template.
    const withManaged = resourcesOfType(template, 'AWS::IAM::Role')
      .filter(([, role]) => role.Properties?.ManagedPolicyArns !== undefined)
      .map(([id]) => id);

    // Assess
    expect(withManaged).toHaveLength(2);
    expect(withManaged.some((id) => id.startsWith('BucketNotificationsHandler'))).toBe(true);
    expect(withManaged.some((id) => id.includes('CloudWatchRole'))).toBe(true);
  });

  it('keeps each customer-managed policy inside the 6,144-character IAM limit once deployed', () => {
    // Prepare: the deployed size is unknown until references resolve, so count each reference
    // as 160 characters, longer than any ARN this stack resolves to (a function ARN with a
    // generated name is about 120).
    const isReference = (value: Json): boolean =>
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      ['Ref', 'Fn::GetAtt', 'Fn::Select'].some((key) => key in value);
    const estimate = (value: Json): string =>
      JSON.stringify(value, (_key, inner: Json) => (isReference(inner) ? 'x'.repeat(160) : inner));

    // Assess
    const documents = policyDocuments(template);
    expect(documents.length).toBeGreaterThan(0);
    for (const [id, document] of documents) {
      expect(estimate(document).replace(/\s/g, '').length, id).toBeLessThan(6144);
    }
  });
});
