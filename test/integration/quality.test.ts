import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';

/**
 * GET /quality end to end: files uploaded as trusts would, through the whole workflow, then the
 * scorecard read back. Every file has the nine items that apply to every row (NHS number, date
 * of birth, gender, ethnicity, postcode, priority type, source of referral, referral type,
 * referral date) and no pathway-stage columns, so each month's item score is the mean of nine
 * item scores. Coverage window 3 months; thresholds at their defaults (ethnicity 5%, gender 1%).
 *
 * R1H 2025-05 (4 rows): ethnicity A, Z, 99, B; row 4 has no postcode.
 *   ethnicity: 4 valid, 2 defaults, excess 2 − 0.05×4 = 1.8 → (4 − 1.8)/4 = 55.0
 *   postcode: 3 of 4 given → 75.0; the other seven items 100
 *   item score (700 + 55 + 75)/9 = 92.22 → 92.2; first month received → coverage 1 → DQMI 92.2
 * R1H 2025-06, first upload: every ethnicity Z, row 4's NHS number fails Modulus 11 (row
 *   invalid, file accepted at 25% invalid): NHS 75, ethnicity (4 − 3.8)/4 = 5 → (75+5+700)/9 = 86.7
 * R1H 2025-06, corrected upload (supersedes it): every item complete and valid → 100; window
 *   Apr–Jun expects May and June (no go-live month: from the first submission), both in → 100.
 *   Change on May: 100 − 92.2 = 7.8, improving.
 * RF4 2025-04: a clean file (outside the range asked for, inside June's coverage window).
 * RF4 2025-05: rejected (3 of 4 NHS numbers invalid) → not received, so May is missing.
 * RF4 2025-06 (4 rows): row 1 gender X, row 2 no ethnicity, row 3 postcode NOTAPC.
 *   gender: 4 valid, 1 default, excess 1 − 0.01×4 = 0.96 → (4 − 0.96)/4 = 76.0
 *   ethnicity 3 of 4 given → 75.0; postcode 4 given, 3 valid → 75.0; six items 100
 *   item score (600 + 76 + 75 + 75)/9 = 91.78 → 91.8
 *   coverage Apr–Jun: expected 3, received 2 (May rejected) → 0.667 → DQMI 91.78 × 2/3 = 61.2
 */
const HEADER =
  'pathway_id,nhs_number,date_of_birth,person_stated_gender_code,ethnic_category,postcode,priority_type,source_of_referral,cancer_referral_type,referral_received_date';
const POSTCODES = ['E1 1BB', 'E9 6SR', 'RM14 1EF', 'RM7 0AG'];

/** A Modulus 11 valid NHS number in the 999 test range. */
function nhsNumber(seed: number): string {
  for (let base = 999_000_000 + seed * 10; ; base += 1) {
    const digits = String(base);
    let sum = 0;
    for (let i = 0; i < 9; i += 1) sum += Number(digits[i]) * (10 - i);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return `${digits}${check}`;
  }
}

interface Row {
  nhs?: string;
  gender?: string;
  ethnicity?: string;
  postcode?: string;
}

/** A file of `rows.length` otherwise clean rows referred in `period`. */
function csv(period: string, seed: number, rows: Row[]): string {
  const lines = rows.map((row, i) =>
    [
      `Q${seed}-${i + 1}`,
      row.nhs ?? nhsNumber(seed * 10 + i),
      '1960-03-15',
      row.gender ?? '2',
      row.ethnicity ?? 'A',
      row.postcode ?? POSTCODES[i % POSTCODES.length],
      '3',
      '03',
      '02',
      `${period}-0${i + 1}`,
    ].join(','),
  );
  return `${HEADER}\n${lines.join('\n')}\n`;
}

let platform: TestPlatform;
const ids: Record<string, string> = {};
/** The scorecard between R1H's first June upload and its correction. */
let beforeCorrection: { status: number; body: { trusts: Trust[] } };

beforeAll(async () => {
  platform = await startTestPlatform({
    rules: {
      quality: {
        defaultCodes: { ethnic_category: ['Z', '99'], person_stated_gender_code: ['X', '9'] },
        defaultThresholds: { ethnic_category: 0.05, person_stated_gender_code: 0.01 },
        coverageMonths: 3,
        minScore: 80,
      },
    },
  });
  ids.r1hMay = await platform.upload(
    'R1H',
    '2025-05',
    'r1h-may.csv',
    csv('2025-05', 1, [
      { ethnicity: 'A' },
      { ethnicity: 'Z' },
      { ethnicity: '99' },
      { ethnicity: 'B', postcode: '' },
    ]),
  );
  ids.r1hJune = await platform.upload(
    'R1H',
    '2025-06',
    'r1h-june.csv',
    csv('2025-06', 2, [
      { ethnicity: 'Z' },
      { ethnicity: 'Z' },
      { ethnicity: 'Z' },
      { ethnicity: 'Z', nhs: '1234567890' },
    ]),
  );
  beforeCorrection = await platform.api('/quality?from=2025-05&to=2025-06&trust=R1H');
  ids.r1hJuneCorrected = await platform.upload(
    'R1H',
    '2025-06',
    'r1h-june-corrected.csv',
    csv('2025-06', 3, [
      { ethnicity: 'A' },
      { ethnicity: 'B' },
      { ethnicity: 'C' },
      { ethnicity: 'D' },
    ]),
  );
  ids.rf4April = await platform.upload(
    'RF4',
    '2025-04',
    'rf4-april.csv',
    csv('2025-04', 4, [{}, {}, {}, {}]),
  );
  ids.rf4MayRejected = await platform.upload(
    'RF4',
    '2025-05',
    'rf4-may.csv',
    csv('2025-05', 5, [{}, { nhs: '1234567890' }, { nhs: '1234567891' }, { nhs: '1111111111' }]),
  );
  ids.rf4June = await platform.upload(
    'RF4',
    '2025-06',
    'rf4-june.csv',
    csv('2025-06', 6, [{ gender: 'X' }, { ethnicity: '' }, { postcode: 'NOTAPC' }, {}]),
  );
}, 600_000);
afterAll(async () => {
  await platform?.stop();
});

type Period = {
  period: string;
  status: string;
  submissionId: string | null;
  dqmi: number | null;
  itemScore: number | null;
  change: number | null;
  coverage: { expected: number; received: number; share: number | null };
  items: Array<{ item: string; [key: string]: unknown }>;
};
type Trust = { trust: string; periods: Period[]; trend: Record<string, unknown> };

function trustOf(body: { trusts: Trust[] }, ods: string): Trust {
  const found = body.trusts.find((t) => t.trust === ods);
  if (!found) throw new Error(`no ${ods} in the scorecard`);
  return found;
}

describe('GET /quality', () => {
  it('the uploads went the intended way (accepted, rejected, superseded)', async () => {
    const statuses = await Promise.all(
      Object.entries(ids).map(async ([name, id]) => {
        const { body } = await platform.api(`/submissions/${id}`);
        return [name, body.status, body.current] as const;
      }),
    );
    expect(
      Object.fromEntries(statuses.map(([name, status, current]) => [name, [status, current]])),
    ).toEqual({
      r1hMay: ['ACCEPTED', true],
      r1hJune: ['ACCEPTED', false],
      r1hJuneCorrected: ['ACCEPTED', true],
      rf4April: ['ACCEPTED', true],
      rf4MayRejected: ['REJECTED', false],
      rf4June: ['ACCEPTED', true],
    });
  });

  it("replaces a month's quality when a corrected upload supersedes the file", async () => {
    // Assess: before the correction, June was the first file: (75 + 5 + 700)/9 = 86.67 → 86.7,
    // 86.7 − 92.2 = −5.5 on May; after it, the corrected file's 100 (next test)
    expect(beforeCorrection.status).toBe(200);
    const [r1h] = beforeCorrection.body.trusts;
    expect(r1h?.periods[1]).toMatchObject({
      period: '2025-06',
      submissionId: ids.r1hJune,
      itemScore: 86.7,
      dqmi: 86.7,
      change: -5.5,
    });
    const june = new Map(r1h?.periods[1]?.items.map((i) => [i.item, i]));
    expect(june.get('nhs_number')).toMatchObject({ complete: 4, valid: 3, score: 75 });
    expect(june.get('ethnic_category')).toMatchObject({
      defaults: 4,
      defaultsInExcess: 3.8,
      score: 5,
    });
  });

  it('scores each trust and month from the current submission, with coverage and trend', async () => {
    // Act
    const { status, body } = await platform.api('/quality?from=2025-05&to=2025-06');

    // Assess
    expect(status).toBe(200);
    expect(body.trusts.map((t: Trust) => t.trust).sort()).toEqual(['R1H', 'RF4', 'RQX']);
    const r1h = trustOf(body, 'R1H');
    expect(
      r1h.periods.map((p) => [p.period, p.status, p.itemScore, p.coverage.share, p.dqmi]),
    ).toEqual([
      ['2025-05', 'received', 92.2, 1, 92.2],
      ['2025-06', 'received', 100, 1, 100],
    ]);
    // the corrected upload replaced the first one's quality (86.7 would be the superseded file)
    expect(r1h.periods[1]?.submissionId).toBe(ids.r1hJuneCorrected);
    expect(r1h.periods[1]?.change).toBe(7.8);
    expect(r1h.trend).toEqual({
      first: { period: '2025-05', dqmi: 92.2 },
      last: { period: '2025-06', dqmi: 100 },
      change: 7.8,
      direction: 'improving',
    });
    expect(r1h.periods[0]?.items.find((i) => i.item === 'ethnic_category')).toMatchObject({
      records: 4,
      complete: 4,
      valid: 4,
      defaults: 2,
      completenessPct: 100,
      validityPct: 100,
      defaultSharePct: 50,
      defaultThresholdPct: 5,
      defaultsInExcess: 1.8,
      score: 55,
    });

    const rf4 = trustOf(body, 'RF4');
    expect(rf4.periods.map((p) => [p.period, p.status, p.itemScore, p.dqmi])).toEqual([
      ['2025-05', 'missing', null, null],
      ['2025-06', 'received', 91.8, 61.2],
    ]);
    expect(rf4.periods[1]?.coverage).toMatchObject({ expected: 3, received: 2, share: 0.667 });
    const june = new Map(rf4.periods[1]?.items.map((i) => [i.item, i]));
    expect(june.get('person_stated_gender_code')).toMatchObject({
      defaults: 1,
      defaultSharePct: 25,
      defaultsInExcess: 1, // 0.96
      score: 76,
    });
    expect(june.get('ethnic_category')).toMatchObject({ completenessPct: 75, score: 75 });
    expect(june.get('postcode')).toMatchObject({
      completenessPct: 100,
      validityPct: 75,
      score: 75,
    });
    // pathway-stage items applied to no row of these files: shown, not scored
    expect(june.get('treatment_modality')).toMatchObject({ records: 0, score: null });

    // RQX sent nothing, so nothing is expected of it yet
    expect(trustOf(body, 'RQX').periods.map((p) => p.status)).toEqual([
      'not-expected',
      'not-expected',
    ]);
  });

  it('shows a trust its own scorecard only', async () => {
    // Act
    const own = await platform.api('/quality?from=2025-05&to=2025-06', 'trust-RF4');
    const other = await platform.api('/quality?from=2025-05&to=2025-06&trust=R1H', 'trust-RF4');

    // Assess
    expect(own.status).toBe(200);
    expect(own.body.trusts.map((t: Trust) => t.trust)).toEqual(['RF4']);
    expect(other.status).toBe(403);
  });

  it('answers 400 with the reason for bad parameters', async () => {
    const backwards = await platform.api('/quality?from=2025-06&to=2025-05');
    const badMonth = await platform.api('/quality?from=2025-13&to=2025-06');
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(backwards.body)).toContain('`from` must not be after `to`');
    expect(badMonth.status).toBe(400);
    expect(JSON.stringify(badMonth.body)).toContain('YYYY-MM');
  });

  it('stores counts only with the submission: no identifier reaches the tables', async () => {
    const dump = await platform.scanTables();
    expect(dump).toContain('"quality"');
    for (const seed of [1, 2, 3, 4, 5, 6]) expect(dump).not.toContain(nhsNumber(seed * 10));
    expect(dump).not.toContain('NOTAPC');
  });
});
