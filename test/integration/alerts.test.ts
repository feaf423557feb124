import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cwtFile, ETHNICITY, fdsFile, POSTCODES } from '../fixtures/alerts/cwt-files';
import { startTestPlatform, type TestPlatform } from './support/platform';

/**
 * Alerts and the SPC series end to end through the local runtime: uploads through the S3 API →
 * the synthesized ingest workflow (Evaluate standards → Publish alerts) → alerts.jsonl, the
 * Alerts table and the report API. The scheduled missing-submission check is in
 * alerts-schedule.test.ts. Every expected figure is worked out by hand in the comments.
 */

type Alert = { subject?: string; message: Record<string, any> };

/** Settings small enough for hand-sized examples: 12 months of history, 20 patients a side. */
const alertRules = {
  inequality: { gapPoints: 10, minPatients: 20 },
  spc: { minPoints: 12, windowMonths: 12 },
  submissionDeadline: { daysAfterPeriodEnd: 25, lookbackMonths: 2 },
  backlogGrowth: { minIncrease: 5, minRelativeIncrease: 0.1 },
};

const published = (platform: TestPlatform, type: string): Alert[] =>
  platform.alerts().filter((alert) => alert.message?.type === type) as Alert[];

const MONTHS_2024 = Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}`);

/**
 * Twelve months of uploads from every trust, each series built so one SPC rule fires:
 * - RQX FDS /10: 8,9 alternating, then 3 in December — a point outside the limits;
 * - R1H FDS /10: 9,10,9,10,9 then 7,8,7,8,7,8,7 — a run of 7 below the mean;
 * - RF4 FDS /20: 16,19,16,19,16,19 then 20,19,18,17,16,15 — a trend of 6 falling points;
 * - RQX 31-day /10: 9,10 alternating, then 7,7 — two of three beyond two sigma.
 */
const SERIES = {
  rqxFds: [8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 3],
  r1hFds: [9, 10, 9, 10, 9, 7, 8, 7, 8, 7, 8, 7],
  rf4Fds: [16, 19, 16, 19, 16, 19, 20, 19, 18, 17, 16, 15],
  rqx31: [9, 10, 9, 10, 9, 10, 9, 10, 9, 10, 7, 7],
};

describe('alerts raised by uploads', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ rules: { alerts: alertRules } });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  describe('special-cause variation on a series built from twelve months of uploads', () => {
    beforeAll(async () => {
      for (const [i, period] of MONTHS_2024.entries()) {
        await platform.upload(
          'RQX',
          period,
          'rqx.csv',
          cwtFile('RQX', period, {
            fds: [{ within: SERIES.rqxFds[i] ?? 0, total: 10 }],
            treatments31: { within: SERIES.rqx31[i] ?? 0, total: 10 },
          }),
        );
        await platform.upload(
          'R1H',
          period,
          'r1h.csv',
          fdsFile('R1H', period, SERIES.r1hFds[i] ?? 0, 10),
        );
        await platform.upload(
          'RF4',
          period,
          'rf4.csv',
          fdsFile('RF4', period, SERIES.rf4Fds[i] ?? 0, 20),
        );
      }
    });

    const series = async (standard: string, trust?: string) => {
      const scope = trust ? `&trust=${trust}` : '';
      const response = await platform.api(
        `/performance/series?standard=${standard}&from=2024-01&to=2024-12${scope}`,
      );
      expect(response.status).toBe(200);
      return response.body;
    };
    /** `period: rules` of the flagged months. */
    const flags = (body: any) =>
      Object.fromEntries(
        body.points
          .filter((p: { rules: string[] }) => p.rules.length > 0)
          .map((p: { period: string; rules: string[]; variation: string }) => [
            p.period,
            `${p.rules.join('+')} ${p.variation}`,
          ]),
      );

    it('serves a point outside the limits (RQX FDS)', async () => {
      // Values 0.8,0.9 ×5, 0.8, 0.3: Σ = 4.8 + 4.5 + 0.3 = 9.6 → mean 0.8. Moving ranges: ten
      // 0.1s and 0.5 → 1.5/11 = 0.136364. Limits 0.8 ± 2.66×0.136364 = 0.8 ± 0.362727 → 0.4373,
      // 1.1627. December's 0.3 is below; the 0.8s sit on the mean, so there is no run.
      const body = await series('fds', 'RQX');
      expect(body.points).toHaveLength(12);
      expect(body.points[11]).toMatchObject({
        period: '2024-12',
        within: 3,
        total: 10,
        performance: 0.3,
        target: 0.75,
      });
      expect(body.spc).toMatchObject({
        mean: 0.8,
        movingRangeMean: 0.1364,
        lowerProcessLimit: 0.4373,
        upperProcessLimit: 1.1627,
        points: 12,
        sufficient: true,
      });
      expect(flags(body)).toEqual({ '2024-12': 'outside-limits concern' });
    });

    it('serves a run of 7 below the mean (R1H FDS)', async () => {
      // 0.9,1.0,0.9,1.0,0.9 then 0.7,0.8 ×3, 0.7: Σ = 4.7 + 5.2 = 9.9 → mean 0.825; June to
      // December (≤ 0.8) are all below. mR̄ = (4×0.1 + 0.2 + 6×0.1)/11 = 0.109091; limits
      // 0.825 ± 0.290182 → 0.5348, 1.1152; near lines 0.6315, 1.0185: nothing beyond.
      const body = await series('fds', 'R1H');
      expect(body.spc).toMatchObject({
        mean: 0.825,
        movingRangeMean: 0.1091,
        lowerProcessLimit: 0.5348,
        upperProcessLimit: 1.1152,
      });
      expect(flags(body)).toEqual(
        Object.fromEntries(MONTHS_2024.slice(5).map((period) => [period, 'run concern'])),
      );
    });

    it('serves a trend of 6 falling points (RF4 FDS)', async () => {
      // /20: 0.8,0.95 ×3, then 1.0,0.95,0.9,0.85,0.8,0.75: Σ = 5.25 + 5.25 = 10.5 → mean
      // 0.875. mR̄ = (5×0.15 + 0.05 + 5×0.05)/11 = 1.05/11 = 0.095455; limits 0.875 ± 0.253909
      // → 0.6211, 1.1289; near 0.7057, 1.0443. July (1.0) to December fall five times.
      const body = await series('fds', 'RF4');
      expect(body.spc).toMatchObject({
        mean: 0.875,
        movingRangeMean: 0.0955,
        lowerProcessLimit: 0.6211,
        upperProcessLimit: 1.1289,
      });
      expect(flags(body)).toEqual(
        Object.fromEntries(MONTHS_2024.slice(6).map((period) => [period, 'trend concern'])),
      );
    });

    it('serves two of three points beyond two sigma (RQX 31-day)', async () => {
      // 0.9,1.0 ×5, 0.7, 0.7: Σ = 9.5 + 1.4 = 10.9 → mean 0.908333. mR̄ = (9×0.1 + 0.3 + 0)/11
      // = 0.109091; limits 0.9083 ± 0.290182 → 0.6182, 1.1985; lower near line 0.9083 −
      // 0.193455 = 0.7149: November and December (0.7) are beyond it, inside the limits.
      const body = await series('31d', 'RQX');
      expect(body.spc).toMatchObject({
        mean: 0.9083,
        movingRangeMean: 0.1091,
        lowerProcessLimit: 0.6182,
        upperProcessLimit: 1.1985,
        lowerNearLimit: 0.7149,
      });
      expect(flags(body)).toEqual({
        '2024-11': 'two-of-three concern',
        '2024-12': 'two-of-three concern',
      });
    });

    it('serves the alliance series by default, pooling the trusts', async () => {
      // /40 per month (RQX 10 + R1H 10 + RF4 20): 33,38,33,38,33,35,36,35,34,33,32,25. Σ = 405
      // → mean 405/480 = 0.84375. Moving ranges 5,5,5,5,2,1,1,1,1,1,7 (/40) → 34/440 =
      // 0.077273; lower limit 0.84375 − 0.205545 = 0.6382 > 25/40 = 0.625. July (0.9) to
      // December fall five times: a trend of 6 as well.
      const body = await series('fds');
      expect(body.trust).toBe('ALL');
      expect(body.points[11]).toMatchObject({ within: 25, total: 40, performance: 0.625 });
      expect(body.spc).toMatchObject({
        mean: 0.8438,
        movingRangeMean: 0.0773,
        lowerProcessLimit: 0.6382,
      });
      expect(flags(body)).toEqual({
        ...Object.fromEntries(MONTHS_2024.slice(6, 11).map((period) => [period, 'trend concern'])),
        '2024-12': 'outside-limits+trend concern',
      });
    });

    it('publishes one special-cause alert per flagged newest point, once', async () => {
      // Alerts need 12 points (minPoints), so only December's evaluations can raise them: the
      // four series above, the alliance FDS series, and the alliance 31-day series (RQX's alone,
      // so the same two of three). Improvement is never alerted.
      const alerts = published(platform, 'special-cause');
      expect(
        alerts.map((a) => `${a.message.standard} ${a.message.trust} ${a.message.rules}`).sort(),
      ).toEqual(
        [
          'fds RQX outside-limits',
          'fds R1H run',
          'fds RF4 trend',
          'fds ALL outside-limits,trend',
          '31d RQX two-of-three',
          '31d ALL two-of-three',
        ].sort(),
      );
      expect(alerts.every((a) => a.message.period === '2024-12')).toBe(true);
      expect(
        alerts.find((a) => a.message.trust === 'RQX' && a.message.standard === 'fds'),
      ).toMatchObject({
        message: {
          figures: { within: 3, total: 10, performance: 0.3 },
          threshold: { mean: 0.8, lowerProcessLimit: 0.4373, upperProcessLimit: 1.1627 },
          query: '/performance/series?standard=fds&from=2024-01&to=2024-12&trust=RQX',
        },
      });
    });
  });

  describe('a breach and the superseding upload that resolves it', () => {
    const P = '2026-01';
    const breachesOf = (trust: string) =>
      published(platform, 'standard-breach').filter(
        (a) => a.message.period === P && a.message.trust === trust && a.message.standard === 'fds',
      );
    const resolutionsOf = (trust: string) =>
      published(platform, 'breach-resolved').filter(
        (a) => a.message.period === P && a.message.trust === trust,
      );

    it('announces the breach', async () => {
      // R1H 6/10 = 60% < 75% (FDS target until March 2026); R1H is the only trust, so the
      // alliance figure is the same.
      await platform.upload('R1H', P, 'jan.csv', fdsFile('R1H', P, 6, 10));
      expect(breachesOf('R1H')).toHaveLength(1);
      expect(breachesOf('ALL')).toHaveLength(1);
      expect(breachesOf('R1H')[0]?.message).toMatchObject({
        figures: { within: 6, total: 10, performance: 0.6, shortfall: 2 },
        threshold: 0.75,
        query: `/performance?standard=fds&from=${P}&to=${P}&trust=R1H`,
      });
    });

    it('records the resolution and announces it once when a new upload meets the target', async () => {
      // The resubmission has 9/10 = 90% ≥ 75%.
      await platform.upload('R1H', P, 'jan-corrected.csv', fdsFile('R1H', P, 9, 10));
      expect(resolutionsOf('R1H')).toHaveLength(1);
      expect(resolutionsOf('ALL')).toHaveLength(1);
      expect(resolutionsOf('R1H')[0]?.message).toMatchObject({
        type: 'breach-resolved',
        standard: 'fds',
        figures: { within: 9, total: 10, performance: 0.9 },
        breach: { within: 6, total: 10, performance: 0.6 },
        threshold: 0.75,
      });
      const { body } = await platform.api(`/alerts?period=${P}&kind=standard-breach&trust=R1H`);
      expect(body.alerts).toHaveLength(1);
      expect(body.alerts[0]).toMatchObject({
        status: 'resolved',
        resolution: { figures: { within: 9, total: 10, performance: 0.9 }, threshold: 0.75 },
      });
      expect(body.alerts[0].resolvedAt).toEqual(expect.any(String));
    });

    it('sends nothing new for re-uploads, whichever way they move the figure', async () => {
      const before = platform.alerts().length;
      // The same good figures again, then the breaching file again (the breach re-opens
      // quietly), then the good figures once more (resolved again, not re-announced).
      await platform.upload('R1H', P, 'jan-corrected-again.csv', fdsFile('R1H', P, 9, 10));
      expect(platform.alerts().length).toBe(before);
      await platform.upload('R1H', P, 'jan-old.csv', fdsFile('R1H', P, 6, 10));
      const reopened = await platform.api(`/alerts?period=${P}&kind=standard-breach&trust=R1H`);
      expect(reopened.body.alerts[0]).toMatchObject({ status: 'open' });
      expect(reopened.body.alerts[0].reopenedAt).toEqual(expect.any(String));
      await platform.upload('R1H', P, 'jan-final.csv', fdsFile('R1H', P, 9, 10));
      expect(platform.alerts().length).toBe(before);
      expect(breachesOf('R1H')).toHaveLength(1);
      expect(resolutionsOf('R1H')).toHaveLength(1);
    });
  });

  describe('an inequality gap', () => {
    const P = '2026-02';

    it('compares IMD quintile 1 and an ethnic group with the rest of the trust', async () => {
      // RF4: 20 patients in IMD quintile 1 (E1 1BB), ethnic group Black, 12 within = 60%; 20 in
      // quintile 5 (RM14 1EF), White, 19 within = 95%. Headline 31/40 = 77.5% — no breach. Each
      // group is 35 points below the rest (> 10) with 20 patients a side (≥ 20). White is above
      // its rest, so it raises nothing. RF4 alone submitted February, so the alliance is the same.
      await platform.upload(
        'RF4',
        P,
        'feb.csv',
        cwtFile('RF4', P, {
          fds: [
            { within: 12, total: 20, postcode: POSTCODES.quintile1, ethnicity: ETHNICITY.black },
            { within: 19, total: 20, postcode: POSTCODES.quintile5, ethnicity: ETHNICITY.white },
          ],
        }),
      );
      const gaps = published(platform, 'inequality-gap').filter((a) => a.message.period === P);
      expect(
        gaps.map((a) => `${a.message.trust} ${a.message.dimension} ${a.message.group}`).sort(),
      ).toEqual(
        [
          'RF4 imdQuintile 1',
          'RF4 ethnicity Black or Black British',
          'ALL imdQuintile 1',
          'ALL ethnicity Black or Black British',
        ].sort(),
      );
      expect(
        gaps.find((a) => a.message.trust === 'RF4' && a.message.group === '1')?.message,
      ).toMatchObject({
        figures: {
          group: { within: 12, total: 20, performance: 0.6 },
          rest: { within: 19, total: 20, performance: 0.95 },
          gapPoints: 35,
        },
        threshold: { gapPoints: 10, minPatients: 20 },
        query: `/performance?standard=fds&from=${P}&to=${P}&trust=RF4&by=imdQuintile`,
      });
      expect(published(platform, 'standard-breach').some((a) => a.message.period === P)).toBe(
        false,
      );
    });
  });

  describe('GET /alerts', () => {
    it('filters by trust, kind and period', async () => {
      // February 2026 holds only the four inequality gaps; January the R1H and alliance breaches.
      const feb = await platform.api('/alerts?period=2026-02&kind=inequality-gap&trust=RF4');
      expect(feb.status).toBe(200);
      expect(
        feb.body.alerts.map((a: { message: { group: string } }) => a.message.group).sort(),
      ).toEqual(['1', 'Black or Black British']);
      const range = await platform.api('/alerts?from=2026-01&to=2026-02&kind=standard-breach');
      expect(range.body.alerts.map((a: { trust: string }) => a.trust).sort()).toEqual([
        'ALL',
        'R1H',
      ]);
    });

    it('shows a trust its own and alliance-wide alerts, and refuses another trust’s', async () => {
      // As RF4 for February: RF4's two gaps and the alliance's two; figures of 12/20 and 19/20
      // are shown rounded to 5 (10/20 = 0.5 and 20/20 = 1), as /performance breakdowns are.
      const own = await platform.api('/alerts?period=2026-02', 'trust-RF4');
      expect(own.status).toBe(200);
      expect(own.body.alerts.map((a: { trust: string }) => a.trust).sort()).toEqual([
        'ALL',
        'ALL',
        'RF4',
        'RF4',
      ]);
      expect(own.body.alerts[0].message.figures.group).toMatchObject({ total: 20 });
      expect(own.body.alerts[0].message.figures.rest).toMatchObject({ within: 20, total: 20 });
      const january = await platform.api('/alerts?period=2026-01', 'trust-RF4');
      expect(january.body.alerts.map((a: { trust: string }) => a.trust)).toEqual(['ALL']);
      expect((await platform.api('/alerts?trust=R1H', 'trust-RF4')).status).toBe(403);
      expect((await platform.api('/alerts?kind=backlog')).status).toBe(400);
    });
  });
});
