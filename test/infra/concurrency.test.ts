import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAllianceConfig } from '../../lib/config';
import { RESERVED_CONCURRENCY_CONTEXT } from '../../lib/constructs/platform-function';
import { addAllianceStack, cdkJsonContext, synthesizeAlliance } from '../../lib/synth';
import { props, resourcesOfType, type Template } from './helpers/template';

/** Lambda keeps this many executions of the account quota unreserved. */
const LAMBDA_UNRESERVED_MINIMUM = 100;
/** The default concurrent-executions quota of an established account. */
const DEFAULT_ACCOUNT_QUOTA = 1000;

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

function reservations(template: Template): (number | undefined)[] {
  return resourcesOfType(template, 'AWS::Lambda::Function')
    .filter(([, fn]) => fn.Metadata?.['local:handler'] !== undefined)
    .map(([, fn]) => props(fn).ReservedConcurrentExecutions as number | undefined);
}

describe('reserved concurrency', () => {
  it('reserves some for every platform function, within what a default account allows', () => {
    // Prepare
    const { template } = synthesizeAlliance();
    const reserved = reservations(template);

    // Assess: each function has a positive reservation, and together they leave the 100
    // Lambda insists on plus room for other workloads (at most half the default quota).
    expect(reserved.length).toBeGreaterThan(0);
    for (const value of reserved) expect(value).toBeGreaterThan(0);
    const total = reserved.reduce<number>((sum, value) => sum + (value ?? 0), 0);
    expect(total).toBeLessThanOrEqual((DEFAULT_ACCOUNT_QUOTA - LAMBDA_UNRESERVED_MINIMUM) / 2);
  });

  it('can be switched off for a small-quota account, and cdk-nag then accepts its absence', () => {
    // Prepare
    const outdir = mkdtempSync(join(tmpdir(), 'cap-concurrency-'));
    outdirs.push(outdir);
    const app = new App({
      outdir,
      context: {
        ...cdkJsonContext(),
        'aws:cdk:bundling-stacks': [],
        [RESERVED_CONCURRENCY_CONTEXT]: 'false',
      },
    });
    const stack = addAllianceStack(app, loadAllianceConfig(), { nag: true });

    // Act: throws on any unacknowledged finding.
    const assembly = app.synth();

    // Assess
    const template = assembly.getStackArtifact(stack.artifactId).template as Template;
    const reserved = reservations(template);
    expect(reserved.length).toBeGreaterThan(0);
    expect(reserved.every((value) => value === undefined)).toBe(true);
    // No report at all, or one without plugin reports, means every pack passed.
    const reportFile = join(outdir, 'validation-report.json');
    if (existsSync(reportFile)) {
      expect(JSON.parse(readFileSync(reportFile, 'utf8')).pluginReports).toEqual([]);
    }
  });
});
