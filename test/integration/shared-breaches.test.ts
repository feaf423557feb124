import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Client } from '../../lib/local/clients';
import { figure, startTestPlatform, type TestPlatform } from './support/platform';

/**
 * 62-day shared breaches end to end through the local runtime (domain brief §2.4). Fixtures:
 * - r1h-2025-09-transfers.csv — R1H, the treating trust, uploads nine first treatments, all on
 *   20 September 2025, DTT 15 September. Each pathway is written as its 62-day wait d62 and the
 *   referrer's part d38 (referral = 20 Sep − d62, transfer = referral + d38, d24 = d62 − d38):
 *     S1 d62 50 d38 30 d24 20 (ref 08-01, transfer 08-31) scenario 1 → RF4 .5/.5, R1H .5/.5
 *     S2 d62 60 d38 30 d24 30 (ref 07-22, transfer 08-21) scenario 2 → RF4 .5/.5, R1H .5/.5
 *     S3 d62 60 d38 40 d24 20 (ref 07-22, transfer 08-31) scenario 3 → R1H 1/1
 *     S4 d62 70 d38 35 d24 35 (ref 07-12, transfer 08-16) scenario 4 → R1H 0/1
 *     S5 d62 70 d38 50 d24 20 (ref 07-12, transfer 08-31) scenario 5 → RF4 0/1
 *     S6 d62 75 d38 45 d24 30 (ref 07-07, transfer 08-21) scenario 6 → RF4 0/.5, R1H 0/.5
 *     SOLO first seen and treated at R1H, d62 40 (ref 08-11)      → R1H 1/1
 *     HALF first seen RF4, no accountable provider, d62 80 (07-02) → RF4 0/.5, R1H 0/.5
 *     EXC accountable RF4 but no transfer date, d62 55 (ref 07-27) → IPT_NO_SCENARIO, 50/50:
 *         RF4 .5/.5, R1H .5/.5
 *   S1–S6 are accountable to RF4 (first seen RF401), treated at R1H01.
 * - rf4-2025-09-solo.csv — RF4's own file: R1 diagnosed and treated at RF4, d62 30 → RF4 1/1.
 * - r1h-2025-09-transfers-corrected.csv — R1H again: S5 removed, EXC now with a transfer on
 *   09-10 (d38 45 ✗, d24 10 ✓, d62 55 ✓ → scenario 3: R1H 1/1).
 */
const P = '2025-09';
let platform: TestPlatform;
let firstR1h: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  firstR1h = await platform.uploadFixture('R1H', P, 'r1h-2025-09-transfers.csv');
  await platform.uploadFixture('RF4', P, 'rf4-2025-09-solo.csv');
});
afterAll(async () => {
  await platform?.stop();
});

const perf = async (query: string) =>
  (await platform.api(`/performance?from=${P}&to=${P}&${query}`)).body;

async function readReport(submissionId: string) {
  const s3 = localS3Client({
    s3Endpoint: platform.runtime.s3Endpoint,
    region: platform.config.region,
  });
  const response = await s3.send(
    new GetObjectCommand({ Bucket: platform.bucket, Key: `reports/${submissionId}/report.json` }),
  );
  return JSON.parse((await response.Body?.transformToString()) ?? '{}');
}

describe('62-day shared allocation (the default)', () => {
  it('splits every transfer by its scenario, fractionally', async () => {
    // RF4 = S1 .5/.5 + S2 .5/.5 + S5 0/1 + S6 0/.5 + HALF 0/.5 + EXC .5/.5 + R1 1/1 = 2.5/4.5.
    // R1H = S1 .5/.5 + S2 .5/.5 + S3 1/1 + S4 0/1 + S6 0/.5 + HALF 0/.5 + SOLO 1/1 + EXC .5/.5
    //     = 3.5/5.5. ALL = 6/10: ten pathways, six within 62 days (S1, S2, S3, SOLO, EXC, R1).
    const body = await perf('standard=62d');
    expect(body.allocation).toBe('shared');
    expect(figure(body, P, 'RF4')).toEqual([2.5, 4.5]);
    expect(figure(body, P, 'R1H')).toEqual([3.5, 5.5]);
    expect(figure(body, P, 'ALL')).toEqual([6, 10]);
    // 2.5 / 4.5 = 0.5556 against the 85% operational standard.
    expect(body.rows.find((r: { trust: string }) => r.trust === 'RF4')).toMatchObject({
      performance: 0.5556,
      target: 0.85,
      meetsTarget: false,
    });
  });

  it('gives the same pathways wholly to the treating trust on request, with equal alliance totals', async () => {
    // R1H treated nine: within S1, S2, S3, SOLO, EXC → 5/9; RF4 treated R1 → 1/1; ALL 6/10.
    const treating = await perf('standard=62d&allocation=treating');
    const shared = await perf('standard=62d&allocation=shared');
    expect(treating.allocation).toBe('treating');
    expect(figure(treating, P, 'R1H')).toEqual([5, 9]);
    expect(figure(treating, P, 'RF4')).toEqual([1, 1]);
    expect(figure(treating, P, 'ALL')).toEqual(figure(shared, P, 'ALL'));
    expect(figure(treating, P, 'ALL')).toEqual([6, 10]);
  });

  it('measures the referrer’s handover by day 38 and the treater’s 24 days', async () => {
    // 38d, for RF4 over S1–S6: d38 30, 30, 40, 35, 50, 45 → within S1, S2, S4 → 3/6.
    // 24d, for R1H over S1–S6: d24 20, 30, 20, 35, 20, 30 → within S1, S3, S5 → 3/6.
    // SOLO (one trust), HALF and EXC (no transfer date) are in neither. No target configured.
    const d38 = await perf('standard=38d');
    const d24 = await perf('standard=24d');
    expect(figure(d38, P, 'RF4')).toEqual([3, 6]);
    expect(figure(d38, P, 'R1H')).toBeNull();
    expect(figure(d24, P, 'R1H')).toEqual([3, 6]);
    expect(figure(d24, P, 'RF4')).toBeNull();
    expect(d38.rows[0]).toMatchObject({ target: null, meetsTarget: null });
  });

  it('breaks 31-day down by modality group', async () => {
    // Every pathway's DTT is 5 days before treatment (31-day within). R1H: S4 modality 05
    // (Radiotherapy), S6 02 (Anti-cancer drug regimen), the other seven 23 (Surgery).
    const body = await perf('standard=31d&trust=R1H&by=modality');
    const r1h = (group: string) =>
      body.rows.find(
        (r: { trust: string; group: string }) => r.trust === 'R1H' && r.group === group,
      );
    expect([r1h('Surgery')?.within, r1h('Surgery')?.total]).toEqual([7, 7]);
    expect([r1h('Radiotherapy')?.within, r1h('Radiotherapy')?.total]).toEqual([1, 1]);
    expect([
      r1h('Anti-cancer drug regimen')?.within,
      r1h('Anti-cancer drug regimen')?.total,
    ]).toEqual([1, 1]);
    expect(
      (await platform.api(`/performance?standard=62d&from=${P}&to=${P}&by=modality`)).status,
    ).toBe(400);
  });
});

describe('data-quality exceptions', () => {
  it('lists a transfer that fits no scenario in the report and the submission warnings', async () => {
    // EXC is data row 9 → file row 10.
    const submission = (await platform.api(`/submissions/${firstR1h}`)).body;
    expect(submission.status).toBe('ACCEPTED');
    expect(submission.warnings.byCode).toContainEqual({ code: 'IPT_NO_SCENARIO', count: 1 });
    const report = await readReport(firstR1h);
    const ipt = report.issues.filter((i: { code: string }) => i.code === 'IPT_NO_SCENARIO');
    expect(ipt).toEqual([
      expect.objectContaining({
        row: 10,
        pathwayId: 'EXC',
        severity: 'warning',
        field: 'transfer_to_treatment_date',
      }),
    ]);
    expect(report.summary).toContainEqual({
      code: 'IPT_NO_SCENARIO',
      severity: 'warning',
      count: 1,
    });
    expect(JSON.stringify(report)).not.toMatch(/999\d{7}/);
  });
});

describe('supersession across trusts', () => {
  it('moves the referring trust’s figures exactly when the treating trust uploads again', async () => {
    // R1H's corrected file drops S5 and dates EXC's transfer (scenario 3 → R1H 1/1).
    // RF4 = S1 .5/.5 + S2 .5/.5 + S6 0/.5 + HALF 0/.5 + R1 1/1 = 2/3.
    // R1H = S1 .5/.5 + S2 .5/.5 + S3 1/1 + S4 0/1 + S6 0/.5 + HALF 0/.5 + SOLO 1/1 + EXC 1/1
    //     = 4/6. ALL = 6/9 (nine pathways, six within).
    const second = await platform.uploadFixture('R1H', P, 'r1h-2025-09-transfers-corrected.csv');
    const shared = await perf('standard=62d');
    expect(figure(shared, P, 'RF4')).toEqual([2, 3]);
    expect(figure(shared, P, 'R1H')).toEqual([4, 6]);
    expect(figure(shared, P, 'ALL')).toEqual([6, 9]);
    // Treating: R1H eight, within S1, S2, S3, SOLO, EXC → 5/8; RF4 1/1; ALL 6/9 again.
    const treating = await perf('standard=62d&allocation=treating');
    expect(figure(treating, P, 'R1H')).toEqual([5, 8]);
    expect(figure(treating, P, 'ALL')).toEqual([6, 9]);
    // 38d: S1 30 ✓, S2 30 ✓, S3 40, S4 35 ✓, S6 45, EXC 45 → 3/6.
    // 24d: S1 20 ✓, S2 30, S3 20 ✓, S4 35, S6 30, EXC 10 ✓ → 3/6.
    expect(figure(await perf('standard=38d'), P, 'RF4')).toEqual([3, 6]);
    expect(figure(await perf('standard=24d'), P, 'R1H')).toEqual([3, 6]);

    const corrected = (await platform.api(`/submissions/${second}`)).body;
    expect(corrected).toMatchObject({ status: 'ACCEPTED', current: true, supersedes: firstR1h });
    expect(corrected.warnings.byCode.map((w: { code: string }) => w.code)).not.toContain(
      'IPT_NO_SCENARIO',
    );
  });
});
