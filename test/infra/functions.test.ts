import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AllianceConfigSchema } from '../../lambdas/core/config';
import { decodeConfigFromEnvironment } from '../../lambdas/core/config-codec';
import { PROJECT_ROOT } from '../../lib/config';
import { synthesizeAlliance } from '../../lib/synth';
import {
  actionsOf,
  type CfnResource,
  environmentOf,
  functionByHandler,
  logicalIdOf,
  props,
  resourcesOf,
  resourcesOfType,
  roleOfFunction,
  roleStatements,
  type Statement,
  type Template,
} from './helpers/template';

let template: Template;
let bucketArn: string;
let tableArns: Record<'submissions' | 'aggregates' | 'alerts' | 'allocations', string>;

/** The contract's construct ids and handler files. */
const HANDLERS = [
  'register',
  'validate',
  'quarantine',
  'enrich',
  'summarise',
  'aggregate',
  'evaluate',
  'complete',
  'mark-failed',
  'report-api',
  'funding-api',
  'check-deadlines',
  'upload-api',
  'replay-api',
] as const;
type Handler = (typeof HANDLERS)[number];

function fn(handler: Handler): CfnResource {
  return functionByHandler(template, `lambdas/handlers/${handler}.ts`)[1];
}

function statementsOf(handler: Handler): Statement[] {
  return roleStatements(template, roleOfFunction(fn(handler)));
}

/** `action prefix/` for every S3 object right, e.g. `s3:PutObject staging/`. */
function objectRights(handler: Handler): string[] {
  const rights = new Set<string>();
  for (const statement of statementsOf(handler)) {
    for (const action of actionsOf(statement).filter((a) => a.startsWith('s3:'))) {
      for (const resource of resourcesOf(statement)) {
        if (resource === bucketArn) continue; // ListBucket, checked separately
        rights.add(`${action} ${resource.replace(`${bucketArn}/`, '').replace(/\*$/, '')}`);
      }
    }
  }
  return [...rights].sort();
}

/** `R` or `RW` per table the function may touch. */
function tableRights(handler: Handler): Record<string, string> {
  const rights: Record<string, string> = {};
  for (const [name, arn] of Object.entries(tableArns)) {
    const actions = statementsOf(handler)
      .filter((statement) => resourcesOf(statement).includes(arn))
      .flatMap(actionsOf);
    if (actions.length === 0) continue;
    rights[name] = actions.includes('dynamodb:PutItem') ? 'RW' : 'R';
    if (rights[name] === 'R') expect(actions).toContain('dynamodb:Query');
  }
  return rights;
}

beforeAll(() => {
  ({ template } = synthesizeAlliance());
  const env = environmentOf(fn('register'));
  bucketArn = `<${logicalIdOf(env.BUCKET_NAME)}.Arn>`;
  tableArns = {
    submissions: `<${logicalIdOf(env.SUBMISSIONS_TABLE)}.Arn>`,
    aggregates: `<${logicalIdOf(env.AGGREGATES_TABLE)}.Arn>`,
    alerts: `<${logicalIdOf(env.ALERTS_TABLE)}.Arn>`,
    allocations: `<${logicalIdOf(env.ALLOCATIONS_TABLE)}.Arn>`,
  };
});

describe('platform functions', () => {
  it('maps each contract handler file to exactly one function via local:handler', () => {
    // Prepare
    const tagged = resourcesOfType(template, 'AWS::Lambda::Function')
      .map(([, resource]) => resource.Metadata?.['local:handler'])
      .filter((entry) => entry !== undefined);

    // Assess: the ten files of the contract, each existing, each once.
    expect([...tagged].sort()).toEqual(HANDLERS.map((h) => `lambdas/handlers/${h}.ts`).sort());
    for (const entry of tagged) {
      expect(entry).toMatch(/^lambdas\/handlers\/[a-z-]+\.ts$/);
      expect(existsSync(resolve(PROJECT_ROOT, String(entry))), String(entry)).toBe(true);
    }
  });

  it.each(HANDLERS)('%s runs Node.js 24 on arm64 with tracing and its own encrypted logs', (h) => {
    // Prepare
    const properties = props(fn(h));
    const logGroupId = logicalIdOf(
      (properties.LoggingConfig as Record<string, Parameters<typeof logicalIdOf>[0]>).LogGroup,
    );
    const [, logGroup] =
      resourcesOfType(template, 'AWS::Logs::LogGroup').find(([id]) => id === logGroupId) ?? [];

    // Assess
    expect(properties.Runtime).toBe('nodejs24.x');
    expect(properties.Architectures).toEqual(['arm64']);
    expect(properties.Handler).toBe('index.handler');
    expect(properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(logGroup && props(logGroup).KmsKeyId).toBeDefined();
    expect(logGroup && props(logGroup).RetentionInDays).toBeGreaterThan(0);
  });

  it('sizes each function as the brief asks', () => {
    // Prepare: memory (MB) and timeout (s) from the brief; the rest 512 MB / 60 s.
    const sizes: Record<Handler, [number, number]> = {
      register: [512, 60],
      validate: [2048, 600],
      quarantine: [512, 60],
      enrich: [2048, 300],
      summarise: [512, 60],
      aggregate: [512, 60],
      evaluate: [512, 60],
      complete: [512, 60],
      'mark-failed': [512, 60],
      'report-api': [1024, 29],
      'funding-api': [2048, 29],
      'check-deadlines': [512, 60],
      'upload-api': [512, 29],
      'replay-api': [512, 29],
    };

    for (const h of HANDLERS) {
      // Assess
      expect([props(fn(h)).MemorySize, props(fn(h)).Timeout], h).toEqual(sizes[h]);
    }
  });

  it('gives every function the same environment, with the config minus the alert email', () => {
    // Prepare
    const register = environmentOf(fn('register'));
    const config = JSON.parse(decodeConfigFromEnvironment(String(register.ALLIANCE_CONFIG)));

    // Assess
    expect(Object.keys(register).sort()).toEqual(
      [
        'AGGREGATES_TABLE',
        'ALERTS_TABLE',
        'ALLOCATIONS_TABLE',
        'ALLIANCE_CONFIG',
        'BUCKET_NAME',
        'NODE_OPTIONS',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_SERVICE_NAME',
        'SUBMISSIONS_TABLE',
        'UPLOAD_URL_TTL_SECONDS',
      ].sort(),
    );
    expect(register.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(AllianceConfigSchema.parse(config).code).toBe('E56000028');
    expect(config).not.toHaveProperty('alertEmail');
    // The local runtime sets the union of all functions' variables; they must agree.
    // The replay function alone also has the ingest state machine's ARN, which the step
    // functions cannot carry (the state machine refers to them); see test/infra/replay.test.ts.
    for (const h of HANDLERS) {
      const { STATE_MACHINE_ARN: _ingest, ...environment } = environmentOf(fn(h));
      expect(environment, h).toEqual(register);
    }
  });
});

describe('least privilege', () => {
  it('grants bucket object rights per function exactly as the brief lists them', () => {
    // Prepare: from the brief, by hand. Write = PutObject + AbortMultipartUpload.
    const write = (prefix: string) => [
      `s3:AbortMultipartUpload ${prefix}`,
      `s3:PutObject ${prefix}`,
    ];
    const expected: Record<Handler, string[]> = {
      register: [],
      validate: ['s3:GetObject uploads/', ...write('staging/'), ...write('reports/')],
      // Plus reading quarantine/: a retry checks the copy it already made (see the handler).
      quarantine: [
        's3:GetObject uploads/',
        's3:DeleteObject uploads/',
        's3:GetObject quarantine/',
        ...write('quarantine/'),
        ...write('reports/'),
      ],
      enrich: ['s3:GetObject staging/', ...write('staging/')],
      summarise: ['s3:GetObject staging/', ...write('staging/')],
      aggregate: ['s3:GetObject staging/'],
      evaluate: [],
      complete: [],
      'mark-failed': [],
      'report-api': ['s3:GetObject reports/'],
      'funding-api': [],
      'check-deadlines': [],
      // Signs presigned upload URLs, which carry its rights: put only (test/infra/uploads.test.ts).
      'upload-api': ['s3:PutObject uploads/'],
      'replay-api': [],
    };

    for (const h of HANDLERS) {
      // Assess
      expect(objectRights(h), h).toEqual([...expected[h]].sort());
    }
  });

  it('grants table rights per function exactly as the brief lists them', () => {
    // Prepare: from the brief, by hand.
    const expected: Record<Handler, Record<string, string>> = {
      register: { submissions: 'RW' },
      validate: { submissions: 'RW' },
      quarantine: { submissions: 'RW' },
      enrich: {},
      summarise: {},
      aggregate: { aggregates: 'RW', submissions: 'RW' },
      evaluate: { aggregates: 'R', alerts: 'RW', submissions: 'R' },
      complete: { submissions: 'RW', aggregates: 'RW' },
      'mark-failed': { submissions: 'RW' },
      'report-api': { submissions: 'R', aggregates: 'R', alerts: 'R' },
      // Append-only: PutItem but no UpdateItem/DeleteItem (test/infra/funding.test.ts).
      'funding-api': { aggregates: 'R', allocations: 'RW' },
      // The scheduled missing-submission check (SubmissionDeadlines).
      'check-deadlines': { aggregates: 'R', alerts: 'RW' },
      'upload-api': {},
      // Reads which submissions are current; starts executions (test/infra/replay.test.ts).
      'replay-api': { aggregates: 'R', submissions: 'R' },
    };

    for (const h of HANDLERS) {
      // Assess
      expect(tableRights(h), h).toEqual(expected[h]);
    }
  });

  it('never lets the report API read uploads, nor anything on the whole bucket', () => {
    // Prepare
    const statements = statementsOf('report-api');
    const s3Resources = statements
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')))
      .flatMap(resourcesOf);

    // Assess
    expect(s3Resources.some((resource) => resource.includes('/uploads/'))).toBe(false);
    expect(s3Resources).not.toContain(`${bucketArn}/*`);
    const list = statements.find((statement) => actionsOf(statement).includes('s3:ListBucket'));
    expect(list?.Condition).toEqual({ StringLike: { 's3:prefix': ['reports/*'] } });
  });

  it('uses no action wildcards and no AWS managed policies on function roles', () => {
    for (const h of HANDLERS) {
      // Prepare
      const roleId = roleOfFunction(fn(h));
      const [, role] =
        resourcesOfType(template, 'AWS::IAM::Role').find(([id]) => id === roleId) ?? [];

      // Assess
      expect(role && props(role).ManagedPolicyArns, h).toBeUndefined();
      const wildcards = statementsOf(h)
        .flatMap(actionsOf)
        .filter((action) => action.includes('*'));
      expect(wildcards, h).toEqual([]);
    }
  });
});
