import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';

/**
 * The 62-day backlog end to end: open pathways in each trust's current submission, in the
 * national bands at the period end (31 October 2025). Fixtures (all postcodes E1 1BB, IMD 2025
 * quintile 1; referral type 02 "suspected lung" unless said otherwise):
 *
 * rf4-2025-10-open-pathways.csv — waits = 31 Oct − clock start − adjustments:
 *   B1  status 14, referred 10-03 → 28   → 0-28
 *   B2  status 14, referred 10-02 → 29   → 29-62
 *   B3  status 10 (diagnosed, FDS end 01), referred 08-30 → 62 → 29-62
 *   B4  status 14, referred 08-29 → 63   → 63-104
 *   B5  status 14, referred 07-19 → 104  → 63-104
 *   B6  status 14, referred 07-18 → 105  → >104
 *   B7  status 14, referred 07-13 → 110 − 10 first-seen adjustment = 100 → 63-104
 *   B8  status 11, consultant upgrade 09-01 (referred 03-01) → 60 from the upgrade → 29-62
 *   B9  status 09, breast symptomatic (type 16), referred 10-21 → 10 → 0-28
 *   B10 status 11, DTT recorded but not treated, referred 07-03 → 120 → >104
 *   not counted: C1 status 10 but FDS end reason 02 (ruled out); C2 status 03; C3 treated 10-20;
 *   C4 no patient status; C5 routine referral (priority 1, no upgrade: no 62-day route).
 *   RF4 = 0-28: B1, B9 = 2; 29-62: B2, B3, B8 = 3; 63-104: B4, B5, B7 = 3; >104: B6, B10 = 2.
 * r1h-2025-10-open-pathways.csv — R1 status 10 referred 04-14 → 200 → >104; R2 status 14
 *   referred 10-26 → 5 → 0-28. R1H = [1, 0, 0, 1]. ALL = [3, 3, 3, 3].
 * rf4-2025-10-open-pathways-update.csv — the same with B6 treated on 20 October (status 08).
 */
const P = '2025-10';
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
  await platform.uploadFixture('RF4', P, 'rf4-2025-10-open-pathways.csv');
  await platform.uploadFixture('R1H', P, 'r1h-2025-10-open-pathways.csv');
});
afterAll(async () => {
  await platform?.stop();
});

type Row = { trust: string; group: string | null; band: string; count: number | null };

/** Counts in band order (0-28, 29-62, 63-104, >104) for one trust and group. */
function bands(rows: Row[], trust: string, group: string | null = null) {
  return rows.filter((r) => r.trust === trust && r.group === group).map((r) => r.count);
}

describe('GET /backlog', () => {
  it('counts open pathways per trust and for the alliance in the national bands', async () => {
    const { status, body } = await platform.api(`/backlog?period=${P}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      period: P,
      asAt: '2025-10-31',
      by: null,
      bands: ['0-28', '29-62', '63-104', '>104'],
    });
    expect(bands(body.rows, 'RF4')).toEqual([2, 3, 3, 2]);
    expect(bands(body.rows, 'R1H')).toEqual([1, 0, 0, 1]);
    expect(bands(body.rows, 'ALL')).toEqual([3, 3, 3, 3]);
    expect(body.rows.map((r: Row) => r.trust)).not.toContain('RQX'); // no RQX submission
    // The C rows are valid records left out by the backlog rules, not by validation.
    const rf4 = (await platform.api('/submissions?trust=RF4')).body.submissions[0];
    expect(rf4).toMatchObject({ status: 'ACCEPTED', counts: { total: 15, valid: 15, invalid: 0 } });
  });

  it('breaks down by route and suspected cancer type with the publication labels, unsuppressed', async () => {
    // RF4 by route: USC B1 | B2 B3 | B4 B5 B7 | B6 B10; breast symptomatic B9; upgrade B8.
    const byRoute = (await platform.api(`/backlog?period=${P}&trust=RF4&by=route`)).body;
    expect(bands(byRoute.rows, 'RF4', 'Urgent suspected cancer')).toEqual([1, 2, 3, 2]);
    expect(bands(byRoute.rows, 'RF4', 'Breast symptomatic')).toEqual([1, 0, 0, 0]);
    expect(bands(byRoute.rows, 'RF4', 'Consultant upgrade')).toEqual([0, 1, 0, 0]);
    // Not yet treated: grouped by what was suspected (B9 type 16, the rest type 02).
    const byType = (await platform.api(`/backlog?period=${P}&trust=RF4&by=cancerType`)).body;
    expect(
      bands(
        byType.rows,
        'RF4',
        'Exhibited (non-cancer) breast symptoms – cancer not initially suspected',
      ),
    ).toEqual([1, 0, 0, 0]);
    expect(bands(byType.rows, 'RF4', 'Suspected lung cancer')).toEqual([1, 3, 3, 2]);
  });

  it('suppresses patient-characteristic breakdowns unless alliance staff ask for full disclosure', async () => {
    // RF4 quintile 1 = [2, 3, 3, 2]: every count is 1–7, so hidden by default.
    const suppressed = (await platform.api(`/backlog?period=${P}&trust=RF4&by=imdQuintile`)).body;
    expect(bands(suppressed.rows, 'RF4', '1')).toEqual([null, null, null, null]);
    const full = (
      await platform.api(`/backlog?period=${P}&trust=RF4&by=imdQuintile&disclosure=full`)
    ).body;
    expect(bands(full.rows, 'RF4', '1')).toEqual([2, 3, 3, 2]);
  });

  it('keeps a trust user to their own trust', async () => {
    const own = await platform.api(`/backlog?period=${P}`, 'trust-R1H');
    expect(own.status).toBe(200);
    expect([...new Set(own.body.rows.map((r: Row) => r.trust))]).toEqual(['R1H', 'ALL']);
    expect((await platform.api(`/backlog?period=${P}&trust=RF4`, 'trust-R1H')).status).toBe(403);
    expect(
      (await platform.api(`/backlog?period=${P}&by=sex&disclosure=full`, 'trust-R1H')).status,
    ).toBe(403);
  });

  it('validates its parameters', async () => {
    expect((await platform.api('/backlog')).status).toBe(400); // period is required
    expect((await platform.api('/backlog?period=2025-13')).status).toBe(400);
    expect((await platform.api(`/backlog?period=${P}&by=modality`)).status).toBe(400);
    expect((await platform.api(`/backlog?period=${P}`, null)).status).toBe(401);
  });

  it('raises one over-104-day alert per trust and for the alliance, with counts only', async () => {
    const over104 = platform.alerts().filter((alert) => alert.message?.type === 'over-104-days');
    const byTrust = Object.fromEntries(
      over104.map((alert) => [alert.message.trust, alert.message.figures.over104Days]),
    );
    // RF4: B6 and B10 → 2; R1H: R1 → 1. The alliance alert was raised by the first upload
    // (RF4's 2) and is not announced again when R1H's file adds one more.
    expect(byTrust).toEqual({ RF4: 2, R1H: 1, ALL: 2 });
    expect(over104).toHaveLength(3);
    expect(over104.find((a) => a.message.trust === 'RF4')?.message.query).toBe(
      `/backlog?period=${P}&trust=RF4`,
    );
    expect(JSON.stringify(over104)).not.toMatch(/"B\d+"|E1 1BB/);
  });

  it('follows the trust’s latest submission: a pathway treated since leaves the backlog', async () => {
    // B6 (105 days) was treated on 20 October: RF4 >104 drops from 2 to 1, ALL from 3 to 2.
    await platform.uploadFixture('RF4', P, 'rf4-2025-10-open-pathways-update.csv');
    const { body } = await platform.api(`/backlog?period=${P}`);
    expect(bands(body.rows, 'RF4')).toEqual([2, 3, 3, 1]);
    expect(bands(body.rows, 'ALL')).toEqual([3, 3, 3, 2]);
  });
});
