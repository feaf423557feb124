import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeConfigFromEnvironment,
  encodeConfigForEnvironment,
} from '../../lambdas/core/config-codec';
import { allianceStackId } from '../../lib/alliance-stack';
import {
  AllianceConfigError,
  allianceConfigForLambda,
  DEFAULT_CONFIG_PATH,
  loadAllianceConfig,
  MAX_LAMBDA_CONFIG_BYTES,
  PROJECT_ROOT,
} from '../../lib/config';
import { type SynthesizedAlliance, synthesizeAlliance } from '../../lib/synth';
import {
  environmentOf,
  functionByHandler,
  props,
  resourcesOfType,
  type Template,
} from './helpers/template';

const temp = mkdtempSync(join(tmpdir(), 'cap-app-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The NEL config file as plain JSON, for tests to alter. */
function nelJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(resolve(PROJECT_ROOT, DEFAULT_CONFIG_PATH), 'utf8'));
}

function writeConfig(name: string, content: string): string {
  const path = join(temp, name);
  writeFileSync(path, content);
  return path;
}

function configError(run: () => unknown): AllianceConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof AllianceConfigError) return error;
    throw error;
  }
  throw new Error('expected an AllianceConfigError');
}

describe('loadAllianceConfig', () => {
  it('reads the default North East London config', () => {
    // Act
    const config = loadAllianceConfig();

    // Assess
    expect(config.name).toBe('North East London');
    expect(config.region).toBe('eu-west-2');
    expect(config.trusts.map((trust) => trust.ods)).toEqual(['R1H', 'RF4', 'RQX']);
  });

  it('names a missing file and how to choose another', () => {
    // Act
    const error = configError(() => loadAllianceConfig(join(temp, 'absent.json')));

    // Assess
    expect(error.code).toBe('ALLIANCE_CONFIG_INVALID');
    expect(error.message).toContain('absent.json');
    expect(error.message).toContain('-c config=');
  });

  it('reports broken JSON as such', () => {
    // Act
    const error = configError(() => loadAllianceConfig(writeConfig('broken.json', '{"name":')));

    // Assess
    expect(error.message).toMatch(/broken\.json is not valid JSON/);
  });

  it('lists each invalid field with its path', () => {
    // Prepare: a two-letter ODS code and a target above 100 %.
    const json = nelJson();
    (json.trusts as { ods: string }[])[1] = { ods: 'RF', name: 'Short' } as never;
    (json.targets as Record<string, { value: number }[]>)['62d'] = [
      { from: '2023-10', value: 1.5 } as never,
    ];

    // Act
    const error = configError(() =>
      loadAllianceConfig(writeConfig('invalid.json', JSON.stringify(json))),
    );

    // Assess
    expect(error.message).toContain('invalid.json is invalid');
    expect(error.message).toContain('expected a 3-character ODS trust code');
    expect(error.message).toMatch(/trusts\[1\]\.ods/);
    expect(error.message).toMatch(/targets\.62d\[0\]\.value/);
  });

  it('refuses a trust listed twice', () => {
    // Prepare
    const json = nelJson();
    const trusts = json.trusts as unknown[];
    trusts.push(trusts[0]);

    // Act
    const error = configError(() =>
      loadAllianceConfig(writeConfig('twice.json', JSON.stringify(json))),
    );

    // Assess
    expect(error.message).toContain('lists trust R1H twice');
  });

  it('refuses a config too large for the Lambda environment', () => {
    // Prepare: places with names that do not compress (hex of a hash) until the compressed
    // Lambda copy passes the limit. Unused column mappings are left out of that copy, so they
    // do not count towards it.
    const json = nelJson();
    const places = json.places as unknown[];
    const lambdaPart = () =>
      encodeConfigForEnvironment(JSON.stringify({ ...json, columnMappings: {} }));
    for (let i = 0; lambdaPart().length <= MAX_LAMBDA_CONFIG_BYTES; i += 1) {
      const name = createHash('sha256').update(String(i)).digest('hex');
      places.push({ id: `place-${i}`, name, localAuthorities: ['E09000001'] });
    }

    // Act
    const error = configError(() =>
      loadAllianceConfig(writeConfig('large.json', JSON.stringify(json))),
    );

    // Assess
    expect(error.message).toContain(`allow ${MAX_LAMBDA_CONFIG_BYTES} bytes`);
  });
});

describe('allianceConfigForLambda', () => {
  it('drops the alert email and keeps everything else', () => {
    // Prepare
    const config = { ...loadAllianceConfig(), alertEmail: 'cancer.alliance@nhs.net' };

    // Act
    const forLambda = JSON.parse(allianceConfigForLambda(config));

    // Assess: no NEL trust is assigned a column mapping, so none travels (see the next test)
    const { alertEmail: _dropped, ...rest } = config;
    expect(forLambda).toEqual({ ...rest, columnMappings: {} });
  });

  it('keeps only the column mappings trusts use, without their source notes', () => {
    // Prepare: R1H (first trust) reads the SCR-style export.
    const nel = loadAllianceConfig();
    const config = {
      ...nel,
      trusts: nel.trusts.map((trust, i) =>
        i === 0 ? { ...trust, intake: { mapping: 'scr' } } : trust,
      ),
    };

    // Act
    const forLambda = JSON.parse(allianceConfigForLambda(config));

    // Assess
    expect(Object.keys(forLambda.columnMappings)).toEqual(['scr']);
    const { source: _source, ...scr } = nel.columnMappings.scr!;
    expect(forLambda.columnMappings.scr).toEqual(scr);
  });
});

describe('allianceStackId', () => {
  it('turns the alliance name into a PascalCase stack id', () => {
    // Assess: "North East London" → words capitalised and joined.
    expect(allianceStackId(loadAllianceConfig())).toBe('CancerAlliance-NorthEastLondon');
    expect(allianceStackId({ ...loadAllianceConfig(), name: 'surrey and sussex' })).toBe(
      'CancerAlliance-SurreyAndSussex',
    );
  });
});

describe('synthesizeAlliance', () => {
  let result: SynthesizedAlliance;
  let outdir: string;
  let template: Template;

  beforeAll(() => {
    // A fourth trust and an alert email, read from a file given as configPath.
    const json = nelJson();
    (json.trusts as unknown[]).push({ ods: 'RAL', name: 'Royal Free London' });
    json.alertEmail = 'cancer.alliance@nhs.net';
    outdir = join(temp, 'assembly');
    result = synthesizeAlliance({
      configPath: writeConfig('five.json', JSON.stringify(json)),
      outdir,
    });
    template = result.template;
  });

  it("carries cdk.json's feature flags into the in-process app and skips bundling", () => {
    // Prepare: the flags as cdk.json lists them.
    const cdkJson = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'cdk.json'), 'utf8'));
    const flags = Object.entries(cdkJson.context as Record<string, unknown>);

    // Assess
    expect(flags.length).toBeGreaterThan(50);
    expect(cdkJson.context['@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2']).toBe(
      true,
    );
    for (const [flag, value] of flags) {
      expect(result.app.node.tryGetContext(flag), flag).toEqual(value);
    }
    expect(result.app.node.tryGetContext('aws:cdk:bundling-stacks')).toEqual([]);
  });

  it('returns the template it wrote to the assembly, for the config region', () => {
    // Prepare
    const written = JSON.parse(
      readFileSync(join(outdir, `${result.stack.artifactId}.template.json`), 'utf8'),
    );

    // Assess
    expect(template).toEqual(written);
    expect(result.stack.region).toBe('eu-west-2');
    expect(result.config.trusts).toHaveLength(4);
  });

  it('builds roles, groups and outputs for every configured trust', () => {
    // Prepare
    const outputs = Object.keys(template.Outputs as Record<string, unknown>);
    const groups = resourcesOfType(template, 'AWS::Cognito::UserPoolGroup').map(
      ([, group]) => props(group).GroupName,
    );

    // Assess
    expect(outputs.filter((name) => name.startsWith('UploadRoleArn')).sort()).toEqual([
      'UploadRoleArnR1H',
      'UploadRoleArnRAL',
      'UploadRoleArnRF4',
      'UploadRoleArnRQX',
    ]);
    expect(groups).toContain('trust-RAL');
    for (const name of [
      'BucketName',
      'ApiUrl',
      'UserPoolId',
      'UserPoolClientId',
      'StateMachineArn',
      'AlertsTopicArn',
    ]) {
      expect(outputs, name).toContain(name);
    }
  });

  it('subscribes the alert email to the topic but keeps it out of the functions', () => {
    // Prepare
    const subscriptions = resourcesOfType(template, 'AWS::SNS::Subscription');
    const [, register] = functionByHandler(template, 'lambdas/handlers/register.ts');

    // Assess
    expect(subscriptions.map(([, s]) => props(s))).toEqual([
      expect.objectContaining({ Protocol: 'email', Endpoint: 'cancer.alliance@nhs.net' }),
    ]);
    expect(
      decodeConfigFromEnvironment(String(environmentOf(register).ALLIANCE_CONFIG)),
    ).not.toContain('nhs.net');
  });
});
