import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllianceStack } from '../../lib/alliance-stack';
import { loadAllianceConfig } from '../../lib/config';
import { nagAcknowledgements } from '../../lib/nag';
import { addAllianceStack, cdkJsonContext, nagPacks, synthesizeAlliance } from '../../lib/synth';

interface Finding {
  readonly rule: string;
  readonly path: string;
}

const outdirs: string[] = [];
function freshOutdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cap-nag-'));
  outdirs.push(dir);
  return dir;
}

/** Findings from the validation-report.json CDK writes into the assembly directory. */
function findingsIn(outdir: string): Finding[] {
  const file = join(outdir, 'validation-report.json');
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    pluginReports: {
      violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
    }[];
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => ({
        rule: violation.ruleName,
        path: construct.constructPath,
      })),
    ),
  );
}

/** Synthesizes, returning the findings instead of throwing on them. */
function synthFindings(app: App, outdir: string): { threw: boolean; findings: Finding[] } {
  try {
    app.synth();
    return { threw: false, findings: findingsIn(outdir) };
  } catch {
    return { threw: true, findings: findingsIn(outdir) };
  }
}

function bareApp(outdir: string): App {
  return new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
}

const config = loadAllianceConfig();

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** Rule-name prefixes of the packs {@link nagPacks} runs. */
const PACK_PREFIXES = ['AwsSolutions-', 'HIPAA.Security-', 'NIST.800.53.R5-'];

describe('cdk-nag AwsSolutions, HIPAA Security and NIST 800-53 R5 on the alliance stack', () => {
  let clean: { threw: boolean; findings: Finding[]; error?: string };

  beforeAll(() => {
    const outdir = freshOutdir();
    try {
      synthesizeAlliance({ config, outdir, nag: true });
      clean = { threw: false, findings: findingsIn(outdir) };
    } catch (error) {
      clean = { threw: true, findings: findingsIn(outdir), error: String(error) };
    }
  });

  it('leaves no finding unacknowledged', () => {
    // Assess: print what is left, so a failure says what to fix or acknowledge.
    if (clean.threw) {
      const lines = clean.findings.map((finding) => `${finding.rule}  ${finding.path}`);
      console.error(`Unacknowledged cdk-nag findings:\n${lines.join('\n') || clean.error}`);
    }
    expect(clean.findings).toEqual([]);
    expect(clean.threw).toBe(false);
  });

  it('runs the checks through addAllianceStack: an unsafe resource added to the stack fails', () => {
    // Prepare: a queue and a log group with none of the protections, beside the real stack.
    const outdir = freshOutdir();
    const app = bareApp(outdir);
    const stack = addAllianceStack(app, config, { nag: true });
    const probe = new Construct(stack, 'Probe');
    new sqs.Queue(probe, 'Queue', { enforceSSL: false });
    new logs.LogGroup(probe, 'Logs', { retention: logs.RetentionDays.INFINITE });

    // Act
    const result = synthFindings(app, outdir);

    // Assess: every pack reports the probe (the queue's SQS4 in AwsSolutions; the unencrypted
    // log group kept forever in HIPAA and NIST); the rest of the stack stays clean.
    expect(result.threw).toBe(true);
    const rules = result.findings.map((finding) => finding.rule);
    expect(rules).toContain('AwsSolutions-SQS4');
    for (const prefix of PACK_PREFIXES.slice(1)) {
      expect(rules).toContain(`${prefix}CloudWatchLogGroupEncrypted`);
      expect(rules).toContain(`${prefix}CloudWatchLogGroupRetentionPeriod`);
    }
    expect(result.findings.filter((finding) => !finding.path.includes('/Probe/'))).toEqual([]);
  });
});

describe('nag acknowledgements', () => {
  let stack: AllianceStack;
  let rawFindings: Finding[];

  beforeAll(() => {
    // The stack without its acknowledgements: what cdk-nag finds on its own.
    const outdir = freshOutdir();
    const app = bareApp(outdir);
    stack = new AllianceStack(app, 'Unacknowledged', { config });
    Validations.of(app).addPlugins(...nagPacks(app));
    rawFindings = synthFindings(app, outdir).findings;
  });

  it('each carry a reason of their own', () => {
    // Prepare: what addAllianceStack records as construct metadata.
    const app = bareApp(freshOutdir());
    addAllianceStack(app, config);
    const recorded = app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

    // Assess
    expect(recorded.length).toBe(nagAcknowledgements(stack).length);
    for (const [id, reason] of recorded) {
      expect(id, id).toMatch(/(AwsSolutions-[A-Z]+\d+|HIPAA\.Security-\w+|NIST\.800\.53\.R5-\w+)/);
      expect(reason.trim().length, id).toBeGreaterThan(40);
    }
  });

  it('cover every finding and nothing that is not found (no stale acknowledgements)', () => {
    // Prepare
    const acknowledgements = nagAcknowledgements(stack).map((ack) => ({
      id: ack.id,
      path: ack.scope.node.path,
    }));
    const covers = (ack: { id: string; path: string }, finding: Finding) =>
      ack.id === finding.rule &&
      (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`));

    // Assess
    expect(rawFindings.length).toBeGreaterThan(0);
    const uncovered = rawFindings.filter(
      (finding) => !acknowledgements.some((ack) => covers(ack, finding)),
    );
    const stale = acknowledgements.filter(
      (ack) => !rawFindings.some((finding) => covers(ack, finding)),
    );
    expect(uncovered).toEqual([]);
    expect(stale).toEqual([]);
  });

  it('never wave through a whole rule for the whole stack', () => {
    // Assess: scopes are constructs inside the stack, never the stack or app themselves.
    for (const ack of nagAcknowledgements(stack)) {
      expect(ack.scope, ack.id).not.toBe(stack);
      expect(ack.scope.node.path.startsWith(`${stack.node.path}/`), ack.id).toBe(true);
    }
  });
});
