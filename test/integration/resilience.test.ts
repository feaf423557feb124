import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertRulesSchema } from '../../lambdas/core/alert-config';
import { TransientError } from '../../lambdas/core/errors';
import { CANONICAL_COLUMNS } from '../../lambdas/core/record';
import { submissionIdFor, uploadKeyFor } from '../../lambdas/core/submission';
import type { AslDefinition, AslState } from '../../lib/local/asl';
import { localS3Client } from '../../lib/local/clients';
import type { ExecutionRecord } from '../../lib/local/runtime';
import { readDefinition } from '../../lib/local/state-machine';
import { TemplateResolver } from '../../lib/local/template';
import { cwtFile, POSTCODES } from '../fixtures/alerts/cwt-files';
import { startTestPlatform, type TestPlatform } from './support/platform';

/**
 * Never lose, never double count (issue 4 §3). One platform for the file; every scenario uses a
 * period of its own, so "before" is always empty and the expected figures come from a clean run
 * of the same kind of file in another period (compared with the period masked), never from
 * hard-coded numbers.
 *
 * For every step of the ingest workflow (read from the synthesized template, so a new step is
 * covered without editing this file) a fault is injected AFTER the step's handler ran — its
 * side effects happened, but the step reports failure — and then the execution is started
 * again with the same input (what a redelivered event, or an operator, does):
 * - while FAILED, the figures are those before the upload if the fault came before Aggregate
 *   committed (the CURRENT pointer claim is the commit point; contributions nobody points at are
 *   invisible), and exactly the clean run's once Aggregate has run — whole, never half;
 * - after the retry, the submission's status, /performance, /backlog, recorded alerts and
 *   published alerts equal the clean run's.
 */

// Small files go through Enrich/Summarise inline; large ones through the Distributed Map.
const CHUNK_THRESHOLD = 4000;
// Special-cause alerts need a series; scenarios in neighbouring months must not form one.
const RULES = {
  chunkThresholdBytes: CHUNK_THRESHOLD,
  chunkRows: 8,
  alerts: AlertRulesSchema.parse({ spc: { minPoints: 60, windowMonths: 24 } }),
};
const TRUST = 'RF4';

type Kind = 'small' | 'large' | 'rejected';

/**
 * Known gap: Quarantine records the final REJECTED verdict and moves the file; its notice to
 * the trust is sent by the state after it, so a failure in between loses that notice (the
 * operations failure alert still goes out). See the README.
 */
const NOTICE_LOST_AFTER = new Set(['Quarantine']);

/** FDS 3/6 and 31-day 4/5: both below target, so the run raises breach alerts. */
const smallFile = (period: string) =>
  cwtFile(TRUST, period, {
    fds: [{ within: 3, total: 6 }],
    treatments31: { within: 4, total: 5 },
  });

/** 26 FDS pathways in two deprivation groups and ten 31-day treatments: four chunks of 8. */
const largeFile = (period: string) =>
  cwtFile(TRUST, period, {
    fds: [
      { within: 14, total: 20 },
      { within: 5, total: 6, postcode: POSTCODES.quintile1 },
    ],
    treatments31: { within: 9, total: 10 },
  });

/** The small file with 8 of its 11 NHS numbers failing Modulus 11: above the 50% rejection share. */
const rejectedFile = (period: string) => {
  const column = CANONICAL_COLUMNS.indexOf('nhs_number');
  const [header, ...records] = smallFile(period).trimEnd().split('\n');
  const broken = records.map((line, i) => {
    if (i >= 8) return line;
    const cells = line.split(',');
    cells[column] = '1234567890';
    return cells.join(',');
  });
  return `${[header, ...broken].join('\n')}\n`;
};

const FILES: Record<Kind, (period: string) => string> = {
  small: smallFile,
  large: largeFile,
  rejected: rejectedFile,
};

/**
 * A period per scenario, all under the same targets (FDS 75%, 31-day 96%, 62-day 85% from
 * 2023-10 until FDS rises to 80% in 2026-03), so figures compare across periods.
 */
function* periods(): Generator<string> {
  for (let month = 9; month < 9 + 29; month += 1) {
    yield `${2023 + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
  }
  throw new Error('no periods left under the same targets');
}

let platform: TestPlatform;
const nextPeriod = periods();

beforeAll(async () => {
  platform = await startTestPlatform({ rules: RULES });
}, 240_000);
afterAll(async () => {
  await platform?.stop();
});

/**
 * Masks the period and submission ids so two runs compare; drops timestamps and the planning
 * ambition (a per-month trajectory from the config, not a figure of the upload).
 */
function masked(value: unknown, period: string): unknown {
  const text = JSON.stringify(value)
    .replaceAll(period, 'P')
    .replace(/sub-[0-9a-f]{24}/g, 'sub-ID');
  return JSON.parse(text, (key, v) =>
    key === 'time' || key === 'ambition' || /At$/.test(key) ? undefined : v,
  );
}

/** Everything a user can see of a period: headline and breakdown figures, backlog. */
async function figures(period: string): Promise<unknown> {
  const seen: Record<string, unknown> = {};
  for (const standard of ['fds', '31d', '62d']) {
    const { status, body } = await platform.api(
      `/performance?standard=${standard}&from=${period}&to=${period}`,
    );
    expect(status).toBe(200);
    seen[standard] = body;
  }
  const deprivation = await platform.api(
    `/performance?standard=fds&from=${period}&to=${period}&by=imdQuintile&disclosure=full`,
  );
  seen.fdsByImd = deprivation.body;
  seen.backlog = (await platform.api(`/backlog?period=${period}`)).body;
  return masked(seen, period);
}

/** Alerts recorded (GET /alerts) and published (the topic's sink), failure notices aside. */
async function alerts(period: string): Promise<{ recorded: unknown; published: string[] }> {
  const recorded = (await platform.api(`/alerts?period=${period}`)).body;
  const published = platform
    .alerts()
    .filter((alert) => JSON.stringify(alert).includes(period))
    .filter((alert) => alert.message?.type !== 'submission-failed')
    .map((alert) => JSON.stringify(masked(alert, period)))
    .sort();
  return { recorded: masked(recorded, period), published };
}

async function status(id: string): Promise<string> {
  return (await platform.api(`/submissions/${id}`)).body.status;
}

/** The last execution whose input names this upload key. */
function executionFor(key: string): ExecutionRecord {
  const found = platform.runtime
    .executions()
    .filter((e) => JSON.stringify(e.input).includes(key))
    .at(-1);
  if (!found) throw new Error(`no execution for ${key}`);
  return found;
}

/** State names an execution entered, Distributed Map children included. */
function visited(execution: ExecutionRecord): string[] {
  return [
    ...new Set(
      execution.events
        .map((event) => (event as { state?: { name?: string } }).state?.name)
        .filter((name): name is string => Boolean(name)),
    ),
  ];
}

interface Step {
  readonly name: string;
  /** A Catch (on the state or the Map around it) leads its errors to Mark failed. */
  readonly caught: boolean;
  /**
   * The state's own Retry takes any task failure (`States.TaskFailed`: the SNS publishes), so a
   * fault there is absorbed in place: the execution goes on and the notice goes out at least once.
   */
  readonly retriedInPlace: boolean;
}

/**
 * The workflow's steps: every Task state (and Distributed Map, which runs as one task locally)
 * of the ingest state machine, at any depth, except the failure path the Catchers lead to.
 */
function workflowSteps(stateMachineArn: string): Step[] {
  const resolver = new TemplateResolver(platform.template, { region: platform.config.region });
  const machine = resolver
    .resourcesOfType('AWS::StepFunctions::StateMachine')
    .find(([id]) => resolver.arn(id) === stateMachineArn);
  if (!machine) throw new Error('ingest state machine not in the template');
  const definition = readDefinition(resolver, machine[0]);
  const failurePath = new Set<string>();
  const follow = (from: string) => {
    for (let name: string | undefined = from; name && !failurePath.has(name); ) {
      failurePath.add(name);
      name = definition.States[name]?.Next as string | undefined;
    }
  };
  const steps: Step[] = [];
  const walk = (graph: AslDefinition, caughtAbove: boolean) => {
    for (const [name, state] of Object.entries(graph.States) as Array<[string, AslState]>) {
      const catchers = (state.Catch as Array<{ Next: string }> | undefined) ?? [];
      for (const catcher of catchers) follow(catcher.Next);
      const caught = caughtAbove || catchers.length > 0;
      if (state.Type === 'Task' || (state.Type === 'Map' && state.ItemReader)) {
        const retriers = (state.Retry as Array<{ ErrorEquals: string[] }> | undefined) ?? [];
        const retriedInPlace = retriers.some((r) => r.ErrorEquals.includes('States.TaskFailed'));
        steps.push({ name, caught, retriedInPlace });
      }
      for (const key of ['ItemProcessor', 'Iterator']) {
        if (state[key]) walk(state[key] as AslDefinition, caught);
      }
    }
  };
  walk(definition, false);
  return steps.filter((step) => !failurePath.has(step.name));
}

interface CleanRun {
  readonly status: string;
  readonly figures: unknown;
  readonly alerts: { recorded: unknown; published: string[] };
  readonly steps: string[];
}

describe('a failure after any step, then a retry, equals one clean run', () => {
  const clean = {} as Record<Kind, CleanRun & { period: string }>;
  let stateMachineArn = '';

  beforeAll(async () => {
    for (const kind of ['small', 'large', 'rejected'] as const) {
      const period = nextPeriod.next().value as string;
      const id = await platform.upload(TRUST, period, `${kind}.csv`, FILES[kind](period));
      const execution = executionFor(`${period}/${kind}.csv`);
      stateMachineArn = execution.stateMachineArn;
      clean[kind] = {
        period,
        status: await status(id),
        figures: await figures(period),
        alerts: await alerts(period),
        steps: visited(execution),
      };
    }
  }, 120_000);

  it('has clean runs that take every path: inline, chunked, rejected', () => {
    expect(Buffer.byteLength(smallFile('2021-01'))).toBeLessThan(CHUNK_THRESHOLD);
    expect(Buffer.byteLength(largeFile('2021-01'))).toBeGreaterThan(CHUNK_THRESHOLD);
    expect(clean.small.status).toBe('ACCEPTED');
    expect(clean.large.status).toBe('ACCEPTED');
    expect(clean.rejected.status).toBe('REJECTED');
    // the small file's breaches (FDS 3/6 = 50% < 75%, 31-day 4/5 = 80% < 96%) are announced
    expect(clean.small.alerts.published.length).toBeGreaterThan(0);
  });

  it('recovers from a fault after every step of the workflow', async () => {
    const steps = workflowSteps(stateMachineArn);
    // the list comes from the template; these are the ones the issue names
    expect(steps.map((step) => step.name)).toEqual(
      expect.arrayContaining([
        'Register',
        'Validate',
        'Quarantine',
        'Enrich',
        'Summarise',
        'Aggregate',
        'Evaluate standards',
        'Publish alert',
        'Complete',
      ]),
    );
    const tried: string[] = [];
    for (const { name: step, caught, retriedInPlace } of steps) {
      const kind = (['small', 'large', 'rejected'] as const).find((k) =>
        clean[k].steps.includes(step),
      );
      if (!kind) throw new Error(`no scenario reaches step '${step}': add a file kind that does`);
      const expected = clean[kind];
      const reached = (milestone: string) =>
        expected.steps.includes(milestone) &&
        expected.steps.indexOf(step) >= expected.steps.indexOf(milestone);
      // Aggregate's pointer claim commits the figures; Quarantine records a final REJECTED.
      const committed = reached('Aggregate');
      const statusWhileFailed = reached('Quarantine')
        ? 'REJECTED'
        : caught
          ? 'FAILED'
          : expected.status;

      const period = nextPeriod.next().value as string;
      const key = `${period}/${kind}.csv`;
      const before = await figures(period);
      const fault = platform.runtime.faults.add({
        state: step,
        when: 'after',
        match: (input) => JSON.stringify(input).includes(period),
      });

      const id = await platform.upload(TRUST, period, `${kind}.csv`, FILES[kind](period));
      const failed = executionFor(key);
      expect.soft(fault.fired(), `${step}: the fault fired`).toBe(1);
      if (retriedInPlace) {
        expect.soft(failed.status, `${step}: the state's Retry absorbed it`).toBe('SUCCEEDED');
        expect.soft(await status(id), `${step}: status`).toBe(expected.status);
        expect.soft(await figures(period), `${step}: figures`).toEqual(expected.figures);
        const seen = await alerts(period);
        expect.soft(seen.recorded, `${step}: recorded alerts`).toEqual(expected.alerts.recorded);
        expect
          .soft([...new Set(seen.published)], `${step}: every notice sent (at least once)`)
          .toEqual(expected.alerts.published);
        tried.push(step);
        continue;
      }
      expect.soft(failed.status, `${step}: the execution failed`).toBe('FAILED');
      expect.soft(await status(id), `${step}: status after the fault`).toBe(statusWhileFailed);
      expect
        .soft(await figures(period), `${step}: figures while FAILED`)
        .toEqual(committed ? expected.figures : before);

      // retry: the same input again (a redelivered event, or an operator re-starting it)
      const retried = await platform.runtime.startExecution(failed.input);
      expect.soft(retried.status, `${step}: the retry succeeded`).toBe('SUCCEEDED');
      expect.soft(await status(id), `${step}: status after the retry`).toBe(expected.status);
      expect
        .soft(await figures(period), `${step}: figures after the retry`)
        .toEqual(expected.figures);
      const seen = await alerts(period);
      expect
        .soft(seen.recorded, `${step}: recorded alerts after the retry`)
        .toEqual(expected.alerts.recorded);
      if (NOTICE_LOST_AFTER.has(step)) {
        expect
          .soft(expected.alerts.published, `${step}: nothing published twice`)
          .toEqual(expect.arrayContaining(seen.published));
      } else {
        expect
          .soft(seen.published, `${step}: published alerts after the retry`)
          .toEqual(expected.alerts.published);
      }
      tried.push(step);
    }
    expect(tried).toEqual(steps.map((step) => step.name));
  }, 600_000);

  it('retries a transient failure inside the execution, counting once', async () => {
    const period = nextPeriod.next().value as string;
    const fault = platform.runtime.faults.add({
      state: 'Aggregate',
      when: 'after',
      error: new TransientError('Aggregate: ThrottlingException'),
      match: (input) => JSON.stringify(input).includes(period),
    });

    const id = await platform.upload(TRUST, period, 'small.csv', smallFile(period));

    expect(fault.fired()).toBe(1);
    expect(executionFor(`${period}/small.csv`).status).toBe('SUCCEEDED');
    expect(await status(id)).toBe('ACCEPTED');
    expect(await figures(period)).toEqual(clean.small.figures);
    expect(await alerts(period)).toEqual(clean.small.alerts);
  }, 120_000);
});

describe('the same trust and period uploaded more than once', () => {
  const s3 = () =>
    localS3Client({ s3Endpoint: platform.runtime.s3Endpoint, region: platform.config.region });
  const put = async (period: string, fileName: string, body: string) => {
    const key = uploadKeyFor(TRUST, 'cwt', period, fileName);
    const response = await s3().send(
      new PutObjectCommand({ Bucket: platform.bucket, Key: key, Body: body }),
    );
    return submissionIdFor({ bucket: platform.bucket, key, etag: response.ETag });
  };
  const settle = async () => {
    // s3rver emits its event just after answering the PUT
    await new Promise((resolve) => setTimeout(resolve, 100));
    await platform.runtime.waitForIdle();
  };
  const submission = async (id: string) => (await platform.api(`/submissions/${id}`)).body;
  let small: CleanRun & { period: string };

  beforeAll(async () => {
    const period = nextPeriod.next().value as string;
    const id = await platform.upload(TRUST, period, 'small.csv', smallFile(period));
    small = {
      period,
      status: await status(id),
      figures: await figures(period),
      alerts: await alerts(period),
      steps: [],
    };
  }, 120_000);

  it('counts the same bytes uploaded twice under the same key once', async () => {
    const period = nextPeriod.next().value as string;
    const body = smallFile(period);

    const first = await platform.upload(TRUST, period, 'same.csv', body);
    const second = await platform.upload(TRUST, period, 'same.csv', body);

    // same key, same bytes → same ETag → the same submission; the second run stops at Register
    expect(second).toBe(first);
    expect(visited(executionFor(`${period}/same.csv`))).toContain('Duplicate delivery');
    expect(await figures(period)).toEqual(small.figures);
    expect(await alerts(period)).toEqual(small.alerts);
  }, 120_000);

  it('lets a second file for the period replace the first: only the later file counts', async () => {
    const period = nextPeriod.next().value as string;

    const first = await platform.upload(TRUST, period, 'first.csv', largeFile(period));
    const second = await platform.upload(TRUST, period, 'second.csv', smallFile(period));

    expect(await figures(period)).toEqual(small.figures);
    expect(await submission(first)).toMatchObject({ current: false, supersededBy: second });
    expect(await submission(second)).toMatchObject({ current: true, supersedes: first });
  }, 120_000);

  it.each([
    ['the older upload finishes last', 'older.csv'],
    ['the newer upload finishes last', 'newer.csv'],
  ])(
    'gives the newer file alone when two uploads race and %s',
    async (_, slow) => {
      const period = nextPeriod.next().value as string;
      // holding one upload's Aggregate back forces the finishing order; both run at once
      const delay = platform.runtime.faults.add({
        state: 'Aggregate',
        when: 'before',
        error: null,
        delayMs: 3000,
        match: (input) => JSON.stringify(input).includes(`${period}/${slow}`),
      });

      // uploaded in this order, so "newer" has the later event time / S3 sequencer
      const older = await put(period, 'older.csv', largeFile(period));
      const newer = await put(period, 'newer.csv', smallFile(period));
      await settle();

      expect(delay.fired()).toBe(1);
      const fast = slow === 'older.csv' ? 'newer.csv' : 'older.csv';
      const stopped = (file: string) => executionFor(`${period}/${file}`).stopDate ?? '';
      expect(stopped(slow) > stopped(fast)).toBe(true);
      expect(await figures(period)).toEqual(small.figures);
      expect(await submission(older)).toMatchObject({
        status: 'ACCEPTED',
        current: false,
        supersededBy: newer,
      });
      expect(await submission(newer)).toMatchObject({ status: 'ACCEPTED', current: true });
    },
    120_000,
  );
});
