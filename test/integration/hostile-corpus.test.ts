import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_PERIOD, type HostileCase, hostileCorpus } from '../fixtures/hostile/generate';
import { startTestPlatform, type TestPlatform } from './support/platform';

/**
 * Every file of the hostile corpus (test/fixtures/hostile/generate.ts, where each expected
 * outcome is reasoned) through one local platform: each ends ACCEPTED or REJECTED with its
 * codes, a rejected file leaves every figure as it was, and the platform still answers /health.
 */
const corpus = hostileCorpus();
const STANDARDS = ['fds', '31d', '62d'];
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
  // figures to protect: two trusts' golden files for the period
  await platform.uploadFixture('R1H', HOSTILE_PERIOD, 'r1h-2025-06-golden.csv');
  await platform.uploadFixture('RF4', HOSTILE_PERIOD, 'rf4-2025-06-golden.csv');
}, 60_000);
afterAll(async () => {
  await platform?.stop();
});

async function figures(): Promise<unknown[]> {
  return Promise.all(
    STANDARDS.map(async (standard) => {
      const response = await platform.api(
        `/performance?standard=${standard}&from=${HOSTILE_PERIOD}&to=${HOSTILE_PERIOD}`,
      );
      expect(response.status).toBe(200);
      return response.body;
    }),
  );
}

describe('hostile corpus', () => {
  it('has at least 40 files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  it.each(corpus.map((entry) => [entry.name, entry] as const))(
    '%s ends as expected',
    async (_name, entry: HostileCase) => {
      // Prepare
      const before = entry.expected.status === 'REJECTED' ? await figures() : null;

      // Act
      const id = await platform.upload(
        entry.trust ?? 'RF4',
        entry.period ?? HOSTILE_PERIOD,
        entry.name,
        entry.bytes,
      );

      // Assess
      const { status, body } = await platform.api(`/submissions/${id}`);
      expect(status).toBe(200);
      expect(body.status).toBe(entry.expected.status);
      expect(body.rejection?.code ?? null).toBe(entry.expected.rejection);
      const report = await platform.api(`/submissions/${id}/report`);
      expect(report.status).toBe(200);
      const codes = new Set(report.body.issues.map((issue: { code: string }) => issue.code));
      for (const code of entry.expected.issues ?? []) expect(codes, code).toContain(code);
      if (entry.expected.total !== undefined) {
        expect(report.body.counts.total).toBe(entry.expected.total);
      }
      if (before) expect(await figures()).toEqual(before);
    },
    60_000,
  );

  it('neutralises formula-like pathway ids in the report CSV', async () => {
    // Prepare: the formula-injection upload from the table above
    const list = await platform.api('/submissions?trust=RF4&limit=200');
    const submission = list.body.submissions.find(
      (s: { fileName: string }) => s.fileName === 'formula-injection.csv',
    );

    // Act
    const csv = await platform.api(`/submissions/${submission.id}/report?format=csv`);

    // Assess: each id is prefixed with an apostrophe; the quoted one keeps its doubled quotes
    const text = String(csv.body);
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
    for (const id of ["'+44", "'-1", "'@SUM(A1)"]) expect(text).toContain(`,${id},`);
    expect(text).not.toMatch(/(^|,)[=+@-]/m);
  });

  it('stays healthy', async () => {
    expect(await platform.api('/health', null)).toEqual({ status: 200, body: { status: 'ok' } });
  });
});
