import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../lib/local/tokens';
import { FIXTURES, figure, startTestPlatform, type TestPlatform } from './support/platform';

/**
 * The report API's warm cache (lambdas/adapters/report-data.ts) against the real workflow: the
 * handler module stays loaded between requests, as in a warm Lambda, so the cache is live here.
 * Figures from test/fixtures/cwt (derivations in platform.test.ts):
 *   rf4-2025-06-golden.csv        FDS: RF4 4/5 (F1, F3, F4, F9 within; F2 breach) and F10, which
 *                                 ended at R1H, R1H 1/1 → ALL 5/6.
 *   rf4-2025-06-resubmission.csv  FDS: RF4 1/2 (F1 within, F2 breach) and nothing for R1H → ALL 1/2.
 *   the golden file without F2    FDS: RF4 4/4, R1H 1/1 → ALL 5/5 (figures no earlier state had,
 *                                 so no answer cached before can pass for them).
 */
const P = '2025-06';
const PERFORMANCE = `/performance?standard=fds&from=${P}&to=${P}`;
const SERIES = `/performance/series?standard=fds&from=${P}&to=${P}&trust=RF4`;
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
  await platform.uploadFixture('RF4', P, 'rf4-2025-06-golden.csv');
});
afterAll(async () => {
  await platform?.stop();
});

describe('the report cache', () => {
  it('serves a superseding upload’s figures on the first request after it, on every route', async () => {
    // Prepare: the golden file's figures, asked twice (the second answer comes from the cache)
    const first = await platform.api(PERFORMANCE);
    expect(figure(first.body, P, 'RF4')).toEqual([4, 5]);
    expect(figure(first.body, P, 'R1H')).toEqual([1, 1]);
    expect(figure(first.body, P, 'ALL')).toEqual([5, 6]);
    expect((await platform.api(PERFORMANCE)).body).toEqual(first.body);
    const series = (await platform.api(SERIES)).body;
    expect(series.points[0]).toMatchObject({ period: P, within: 4, total: 5 });

    // Act: RF4 uploads the period again
    await platform.uploadFixture('RF4', P, 'rf4-2025-06-resubmission.csv');

    // Assess: RF4 1/2; F10 went with the superseded file, so R1H has no row; ALL 1/2
    const after = (await platform.api(PERFORMANCE)).body;
    expect(figure(after, P, 'RF4')).toEqual([1, 2]);
    expect(figure(after, P, 'R1H')).toBeNull();
    expect(figure(after, P, 'ALL')).toEqual([1, 2]);
    expect((await platform.api(SERIES)).body.points[0]).toMatchObject({ within: 1, total: 2 });
  });

  it('keeps each caller’s scope: a cached alliance answer is never a trust user’s', async () => {
    // Prepare: the alliance's answer is cached (every trust's rows)
    const alliance = (await platform.api(PERFORMANCE)).body;
    expect(alliance.rows.map((r: { trust: string }) => r.trust)).toEqual(['RF4', 'ALL']);

    // Act: the same query by an R1H user
    const r1h = await platform.api(PERFORMANCE, 'trust-R1H');

    // Assess: R1H has no row of its own this month, so only the alliance row; never RF4's
    expect(r1h.status).toBe(200);
    expect(r1h.body.rows.map((r: { trust: string }) => r.trust)).toEqual(['ALL']);
  });

  it('answers every request sent after an upload finished with its figures, under load', async () => {
    // Prepare: 20 clients asking without pause while the golden file without F2 (its one FDS
    // breach) is uploaded: RF4 goes from 1/2 to 4/4.
    const token = await issueToken(platform.dataDir, { group: 'alliance' });
    const answers: { sentAt: number; rf4: [number, number] | null }[] = [];
    let finishedAt = Number.POSITIVE_INFINITY;
    let sentAfter = 0;
    const client = async () => {
      // until 40 requests have been sent after the upload finished
      while (sentAfter < 40) {
        const sentAt = performance.now();
        if (sentAt > finishedAt) sentAfter += 1;
        const response = await fetch(`${platform.runtime.apiUrl}${PERFORMANCE}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        answers.push({ sentAt, rf4: figure(await response.json(), P, 'RF4') });
      }
    };
    const clients = Array.from({ length: 20 }, client);

    // Act
    const golden = readFileSync(join(FIXTURES, 'rf4-2025-06-golden.csv'), 'utf8');
    const withoutF2 = golden
      .split('\n')
      .filter((line) => !line.startsWith('F2,'))
      .join('\n');
    expect(withoutF2.length).toBeLessThan(golden.length);
    await platform.upload('RF4', P, 'rf4-2025-06-without-f2.csv', withoutF2);
    finishedAt = performance.now();
    await Promise.all(clients);

    // Assess: before the upload finished, either figure; after it, only the new one
    const before = answers.filter((a) => a.sentAt <= finishedAt);
    const after = answers.filter((a) => a.sentAt > finishedAt);
    expect(after.length).toBeGreaterThanOrEqual(40);
    expect(after.every((a) => JSON.stringify(a.rf4) === '[4,4]')).toBe(true);
    expect(
      before.every((a) => JSON.stringify(a.rf4) === '[1,2]' || JSON.stringify(a.rf4) === '[4,4]'),
    ).toBe(true);
    // the old figures were being served (from the cache) when the upload began
    expect(before.some((a) => JSON.stringify(a.rf4) === '[1,2]')).toBe(true);
  });
});
