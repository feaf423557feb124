import { beforeAll, describe, expect, it } from 'vitest';
import type { AllianceConfig } from '../../lambdas/core/config';
import { synthesizeAlliance } from '../../lib/synth';
import {
  actionsOf,
  type CfnResource,
  environmentOf,
  functionByHandler,
  type Json,
  logicalIdOf,
  props,
  render,
  resources,
  resourcesOf,
  resourcesOfType,
  roleStatements,
  type Statement,
  statementsIn,
  type Template,
} from './helpers/template';

let template: Template;
let config: AllianceConfig;
let bucketId: string;
let accessLogBucketId: string;
let dataKeyId: string;
let dataKeyArn: string;

function resource(id: string): CfnResource {
  const found = resources(template)[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
}

function bucketPolicyStatements(bucketLogicalId: string): Statement[] {
  const [, policy] =
    resourcesOfType(template, 'AWS::S3::BucketPolicy').find(
      ([, candidate]) => render(props(candidate).Bucket) === `<${bucketLogicalId}>`,
    ) ?? [];
  if (!policy) throw new Error(`no bucket policy for ${bucketLogicalId}`);
  return statementsIn(props(policy).PolicyDocument);
}

function lifecycleRules(bucketLogicalId: string): Record<string, Json>[] {
  const configuration = props(resource(bucketLogicalId)).LifecycleConfiguration as {
    Rules: Record<string, Json>[];
  };
  return configuration.Rules;
}

beforeAll(() => {
  ({ template, config } = synthesizeAlliance());
  // The functions' BUCKET_NAME points at the upload bucket, which logs to the other bucket.
  const [, register] = functionByHandler(template, 'lambdas/handlers/register.ts');
  bucketId = logicalIdOf(environmentOf(register).BUCKET_NAME);
  const logging = props(resource(bucketId)).LoggingConfiguration as Record<string, Json>;
  accessLogBucketId = logicalIdOf(logging.DestinationBucketName);
  const encryption = props(resource(bucketId)).BucketEncryption as {
    ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: Record<string, Json> }[];
  };
  dataKeyId = logicalIdOf(
    encryption.ServerSideEncryptionConfiguration[0]?.ServerSideEncryptionByDefault.KMSMasterKeyID,
  );
  dataKeyArn = `<${dataKeyId}.Arn>`;
});

describe('upload bucket', () => {
  it('encrypts with the customer-managed data key and an S3 bucket key', () => {
    // Assess
    const encryption = props(resource(bucketId)).BucketEncryption as {
      ServerSideEncryptionConfiguration: Record<string, Json>[];
    };
    expect(encryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': [dataKeyId, 'Arn'] },
        },
      },
    ]);
    expect(resource(dataKeyId).Type).toBe('AWS::KMS::Key');
  });

  it('blocks public access, enforces bucket ownership and keeps versions', () => {
    // Assess
    const bucket = props(resource(bucketId));
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('denies every request that is not over TLS', () => {
    // Assess
    const denyPlainHttp = bucketPolicyStatements(bucketId).find(
      (statement) =>
        statement.Effect === 'Deny' &&
        JSON.stringify(statement.Condition) ===
          JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
    );
    expect(denyPlainHttp).toBeDefined();
    expect(actionsOf(denyPlainHttp as Statement)).toEqual(['s3:*']);
    expect(resourcesOf(denyPlainHttp as Statement).sort()).toEqual(
      [`<${bucketId}.Arn>`, `<${bucketId}.Arn>/*`].sort(),
    );
  });

  it('expires staging after 7 days, reports and quarantine after 400, old versions after 90', () => {
    // Prepare: the retention periods of the brief, by prefix.
    const byPrefix = new Map(
      lifecycleRules(bucketId)
        .filter((rule) => typeof rule.Prefix === 'string')
        .map((rule) => [rule.Prefix, rule.ExpirationInDays]),
    );
    const whole = lifecycleRules(bucketId).find((rule) => rule.Prefix === undefined);

    // Assess
    expect(Object.fromEntries(byPrefix)).toEqual({
      'staging/': 7,
      'reports/': 400,
      'quarantine/': 400,
    });
    expect(whole).toMatchObject({
      Status: 'Enabled',
      NoncurrentVersionExpiration: { NoncurrentDays: 90 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    });
    // Uploads themselves never expire: they are the record aggregates are recomputed from.
    expect(lifecycleRules(bucketId).some((rule) => rule.Prefix === 'uploads/')).toBe(false);
  });

  it('sends object events to EventBridge', () => {
    // Assess
    const [[, notifications] = []] = resourcesOfType(template, 'Custom::S3BucketNotifications');
    expect(notifications).toBeDefined();
    expect(render(props(notifications as CfnResource).BucketName)).toBe(`<${bucketId}>`);
    expect(props(notifications as CfnResource).NotificationConfiguration).toEqual({
      EventBridgeConfiguration: {},
    });
  });

  it('logs access to a separate SSE-S3, TLS-only, versioned bucket with a lifecycle', () => {
    // Assess
    const logBucket = props(resource(accessLogBucketId));
    expect(accessLogBucketId).not.toBe(bucketId);
    expect(logBucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ],
    });
    expect(logBucket.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(logBucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(lifecycleRules(accessLogBucketId)[0]).toMatchObject({ ExpirationInDays: 400 });
    const statements = bucketPolicyStatements(accessLogBucketId);
    expect(statements.some((statement) => statement.Effect === 'Deny')).toBe(true);
    const delivery = statements.find(
      (statement) =>
        JSON.stringify(statement).includes('logging.s3.amazonaws.com') &&
        statement.Effect === 'Allow',
    );
    expect(delivery && actionsOf(delivery)).toEqual(['s3:PutObject']);
  });
});

describe('trust upload roles', () => {
  function uploadRole(ods: string): string {
    const outputs = template.Outputs as Record<string, { Value: Json }>;
    const output = outputs[`UploadRoleArn${ods}`];
    if (!output) throw new Error(`no output for ${ods}`);
    return logicalIdOf(output.Value);
  }

  it('exists once per configured trust, assumable by the account', () => {
    // Prepare: NEL's three trusts, from the config file.
    const odsCodes = config.trusts.map((trust) => trust.ods);

    // Assess
    expect(odsCodes).toEqual(['R1H', 'RF4', 'RQX']);
    for (const ods of odsCodes) {
      const role = props(resource(uploadRole(ods)));
      const trustPolicy = JSON.stringify(role.AssumeRolePolicyDocument);
      expect(trustPolicy).toContain(':root');
      expect(trustPolicy).toContain('sts:AssumeRole');
    }
  });

  it.each(['R1H', 'RF4', 'RQX'])('lets %s only put objects under its own uploads prefix', (ods) => {
    // Prepare
    const statements = roleStatements(template, uploadRole(ods));
    const s3Pairs = statements.flatMap((statement) =>
      actionsOf(statement)
        .filter((action) => action.startsWith('s3:'))
        .flatMap((action) => resourcesOf(statement).map((where) => `${action} on ${where}`)),
    );
    const otherActions = statements.flatMap(actionsOf).filter((a) => !a.startsWith('s3:'));

    // Assess: one S3 right, on its own prefix; the rest is use of the bucket key through S3.
    expect(s3Pairs).toEqual([`s3:PutObject on <${bucketId}.Arn>/uploads/${ods}/*`]);
    expect(new Set(otherActions)).toEqual(
      new Set(['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt']),
    );
    for (const statement of statements.filter((s) => actionsOf(s)[0]?.startsWith('kms:'))) {
      expect(resourcesOf(statement)).toEqual([dataKeyArn]);
      expect(statement.Condition).toEqual({
        StringEquals: { 'kms:ViaService': 's3.eu-west-2.amazonaws.com' },
      });
    }
  });
});

describe('tables', () => {
  function tableId(variable: string): string {
    const [, register] = functionByHandler(template, 'lambdas/handlers/register.ts');
    return logicalIdOf(environmentOf(register)[variable]);
  }

  it('has the key schemas and the byTrust index of the contract', () => {
    // Assess
    const submissions = props(resource(tableId('SUBMISSIONS_TABLE')));
    expect(submissions.KeySchema).toEqual([{ AttributeName: 'submissionId', KeyType: 'HASH' }]);
    expect(submissions.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'byTrust',
        KeySchema: [
          { AttributeName: 'trust', KeyType: 'HASH' },
          { AttributeName: 'receivedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    for (const variable of ['AGGREGATES_TABLE', 'ALERTS_TABLE']) {
      expect(props(resource(tableId(variable))).KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
    }
  });

  it.each(['SUBMISSIONS_TABLE', 'AGGREGATES_TABLE', 'ALERTS_TABLE', 'ALLOCATIONS_TABLE'])(
    '%s is on demand, recoverable, protected and encrypted with the data key',
    (variable) => {
      // Prepare
      const table = resource(tableId(variable)) as CfnResource & { DeletionPolicy?: string };
      const replica = (props(table).Replicas as Record<string, Json>[])[0] ?? {};

      // Assess
      expect(table.Type).toBe('AWS::DynamoDB::GlobalTable');
      expect(table.DeletionPolicy).toBe('Retain');
      expect(props(table).BillingMode).toBe('PAY_PER_REQUEST');
      expect(props(table).SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(replica).toMatchObject({
        Region: 'eu-west-2',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      expect(render((replica.SSESpecification as Record<string, Json>).KMSMasterKeyId)).toBe(
        dataKeyArn,
      );
    },
  );
});

describe('keys', () => {
  it('rotates every key and lets CloudWatch Logs use only the log key', () => {
    // Prepare
    const keys = resourcesOfType(template, 'AWS::KMS::Key');
    const logsPrincipal = 'logs.eu-west-2.amazonaws.com';
    const usableByLogs = keys.filter(([, key]) =>
      JSON.stringify(props(key).KeyPolicy).includes(logsPrincipal),
    );
    const [, aLogGroup] = resourcesOfType(template, 'AWS::Logs::LogGroup')[0] ?? [];

    // Assess: data, logs and alerts keys; the log groups use the one the service may use.
    expect(keys).toHaveLength(3);
    for (const [, key] of keys) expect(props(key).EnableKeyRotation).toBe(true);
    expect(usableByLogs).toHaveLength(1);
    expect(render(props(aLogGroup as CfnResource).KmsKeyId)).toBe(`<${usableByLogs[0]?.[0]}.Arn>`);
    expect(dataKeyArn).not.toBe(`<${usableByLogs[0]?.[0]}.Arn>`);
  });
});
