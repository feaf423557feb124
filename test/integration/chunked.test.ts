import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figure, startTestPlatform, type TestPlatform } from './support/platform';

/**
 * The large-file path: with a tiny chunk threshold every upload is split into chunks that the
 * Distributed Map processes separately, and the merged figures must equal the single-pass ones
 * worked out by hand in platform.test.ts.
 */
const P = '2025-06';
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ rules: { chunkThresholdBytes: 1, chunkRows: 4 } });
});
afterAll(async () => {
  await platform?.stop();
});

describe('chunked processing', () => {
  it('splits the file into chunks and merges them to the same figures', async () => {
    const id = await platform.uploadFixture('RF4', P, 'rf4-2025-06-golden.csv');
    expect((await platform.api(`/submissions/${id}`)).body.status).toBe('ACCEPTED');
    // 16 valid records in chunks of 4 → 4 partial aggregates
    expect(await platform.listKeys(`staging/${id}/partials/`)).toHaveLength(4);

    const get = async (standard: string) =>
      (await platform.api(`/performance?standard=${standard}&from=${P}&to=${P}`)).body;
    const fds = await get('fds');
    expect([figure(fds, P, 'RF4'), figure(fds, P, 'R1H'), figure(fds, P, 'ALL')]).toEqual([
      [4, 5],
      [1, 1],
      [5, 6],
    ]);
    expect(figure(await get('31d'), P, 'RF4')).toEqual([5, 6]);
    // 62-day is shared by default: T7's scenario-1 transfer gives RF4 4 + 0.5 of 5 + 0.5.
    expect(figure(await get('62d'), P, 'RF4')).toEqual([4.5, 5.5]);
  });
});
