import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetHandlerEnv } from '../../lambdas/adapters/env';
import { CANONICAL_COLUMNS } from '../../lambdas/core/record';
import { issueToken } from '../../lib/local/tokens';
import { cwtFile, fdsFile } from '../fixtures/alerts/cwt-files';
import { figure, PROJECT_ROOT, startTestPlatform, type TestPlatform } from './support/platform';

/**
 * `npm run cli -- replay` end to end: POST /replay (the replay function starts executions of
 * the ingest state machine through the local Step Functions API) and the before/after diff.
 *
 * RF4's file has 8 FDS pathways: 6 within 28 days (10-day waits) and 2 of 40 days that ended
 * with reason 03 (excluded) and exclusion reason 01 (late). Under the default rules the two are
 * excluded → RF4 6/6; with `fdsCountExcludedLateAsBreach` they count as breaches → 6/8. R1H's
 * file is 4 of 5 within and no rule touches it. The alliance: 10/11 → 10/13.
 */
const P = '2025-06';
let platform: TestPlatform;

/** RF4's file: the two breaching FDS pathways become late exclusions (reason 03, exclusion 01). */
function rf4File(): string {
  const reason = CANONICAL_COLUMNS.indexOf('fds_end_reason');
  const exclusion = CANONICAL_COLUMNS.indexOf('fds_exclusion_reason');
  const [header, ...records] = fdsFile('RF4', P, 6, 8).trimEnd().split('\n');
  const lines = records.map((line, i) => {
    if (i < 6) return line;
    const cells = line.split(',');
    cells[reason] = '03';
    cells[exclusion] = '01';
    return cells.join(',');
  });
  return `${[header, ...lines].join('\n')}\n`;
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
      [join(PROJECT_ROOT, 'bin', 'cli.ts'), 'replay', ...args, '--data-dir', platform.dataDir],
      { cwd: PROJECT_ROOT },
    );
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '' };
  }
}

async function fds(): Promise<unknown> {
  const { body } = await platform.api(`/performance?standard=fds&from=${P}&to=${P}`);
  return [figure(body, P, 'RF4'), figure(body, P, 'R1H'), figure(body, P, 'ALL')];
}

/**
 * What a deployment of changed rules does to the functions: a new ALLIANCE_CONFIG (plain JSON is
 * read as well as the compressed form) and a cold start. The runtime restores the variable when
 * it stops.
 */
function deployRules(rules: Partial<TestPlatform['config']['rules']>): void {
  const { config } = platform;
  process.env.ALLIANCE_CONFIG = JSON.stringify({ ...config, rules: { ...config.rules, ...rules } });
  resetHandlerEnv();
}

beforeAll(async () => {
  platform = await startTestPlatform();
  await platform.upload('RF4', P, 'rf4.csv', rf4File());
  await platform.upload('R1H', P, 'r1h.csv', cwtFile('R1H', P, { fds: [{ within: 4, total: 5 }] }));
}, 240_000);
afterAll(async () => {
  await platform?.stop();
});

describe('replay', () => {
  it('starts from the uploaded figures', async () => {
    expect(await fds()).toEqual([
      [6, 6],
      [4, 5],
      [10, 11],
    ]);
  });

  it('reports "no change" and counts nothing twice when the rules are unchanged', async () => {
    const alertsBefore = platform.alerts().length;
    const executionsBefore = platform.runtime.executions().length;

    const { code, stdout } = await cli('--period', P, '--json');

    expect(code).toBe(0);
    const diff = JSON.parse(stdout);
    expect(diff).toMatchObject({ period: P, trust: null, changed: false });
    // both trusts' current submissions ran again, through the state machine
    expect(Object.values(diff.submissions)).toEqual(['ACCEPTED', 'ACCEPTED']);
    const replays = platform.runtime.executions().slice(executionsBefore);
    expect(replays.map((e) => [e.trigger, e.status])).toEqual([
      ['sfn-api', 'SUCCEEDED'],
      ['sfn-api', 'SUCCEEDED'],
    ]);
    const rf4 = diff.figures.find((f: any) => f.standard === 'fds' && f.trust === 'RF4');
    expect(rf4).toMatchObject({ before: { within: 6, total: 6 }, after: { within: 6, total: 6 } });
    expect(await fds()).toEqual([
      [6, 6],
      [4, 5],
      [10, 11],
    ]);
    // alerts already raised are not announced again
    expect(platform.alerts()).toHaveLength(alertsBefore);
  }, 180_000);

  it('prints the exact difference after a rules change', async () => {
    deployRules({ fdsCountExcludedLateAsBreach: true });

    const { code, stdout } = await cli('--period', P);

    expect(code).toBe(0);
    expect(stdout).toContain(`Replay ${P}: figures changed`);
    const line = (standard: string, trust: string) =>
      stdout
        .split('\n')
        .find((l) => l.split(/\s+/)[0] === standard && l.split(/\s+/)[1] === trust)
        ?.split(/\s{2,}/);
    // RF4 6/6 → 6/8 (75%); the alliance 10/11 (90.9%) → 10/13 (76.9%); R1H untouched
    expect(line('fds', 'RF4')).toEqual(['fds', 'RF4', '6/6 100.0%', '6/8 75.0%', 'changed']);
    expect(line('fds', 'ALL')).toEqual(['fds', 'ALL', '10/11 90.9%', '10/13 76.9%', 'changed']);
    expect(line('fds', 'R1H')).toEqual(['fds', 'R1H', '4/5 80.0%', 'no change']);
    expect(await fds()).toEqual([
      [6, 8],
      [4, 5],
      [10, 13],
    ]);
  }, 180_000);

  it('replays one trust only with --trust', async () => {
    const executionsBefore = platform.runtime.executions().length;

    const { code, stdout } = await cli('--period', P, '--trust', 'R1H', '--json');

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ trust: 'R1H', changed: false });
    const replays = platform.runtime.executions().slice(executionsBefore);
    expect(replays).toHaveLength(1);
    expect(JSON.stringify(replays[0]?.output)).toContain('"trust":"R1H"');
  }, 180_000);

  it('is for alliance staff only', async () => {
    const post = async (group: string) => {
      const token = await issueToken(platform.dataDir, { group });
      return fetch(`${platform.runtime.apiUrl}/replay?period=${P}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    };
    const executionsBefore = platform.runtime.executions().length;

    const response = await post('trust-RF4');

    expect(response.status).toBe(403);
    expect(platform.runtime.executions()).toHaveLength(executionsBefore);
  });

  it('keeps an accepted file and its figures when later rules would reject it, and says so', async () => {
    // Prepare: a row limit R1H's 5-row file breaks (RF4's rules from the test above stay)
    const [, r1hBefore] = (await fds()) as Array<[number, number]>;
    const alertsBefore = platform.alerts().length;
    deployRules({
      fdsCountExcludedLateAsBreach: true,
      limits: { ...platform.config.rules.limits, maxRows: 3 },
    });

    // Act
    const { code } = await cli('--period', P, '--trust', 'R1H');

    // Assess: still ACCEPTED with the reason beside it; the figures are the accepted run's (4/5)
    expect(code).toBe(0);
    expect(r1hBefore).toEqual([4, 5]);
    expect(await fds()).toEqual([
      [6, 8],
      [4, 5],
      [10, 13],
    ]);
    const submissions = await platform.api(`/submissions?trust=R1H`);
    const r1h = submissions.body.submissions.find((s: { period: string }) => s.period === P);
    expect(r1h.status).toBe('ACCEPTED');
    expect(r1h.replayRejection).toMatchObject({ code: 'TOO_MANY_ROWS' });
    // the file was not moved to quarantine, and alliance staff were told once
    expect(await platform.listKeys('quarantine/')).toEqual([]);
    const told = platform.alerts().slice(alertsBefore);
    expect(told.map((a) => a.message.type)).toEqual(['replay-rejected']);
  }, 180_000);
});
