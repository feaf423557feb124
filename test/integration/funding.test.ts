import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../lib/local/tokens';
import { PROJECT_ROOT, startTestPlatform, type TestPlatform } from './support/platform';

/**
 * Funding allocation end to end through the local runtime: trusts upload two months of FDS
 * pathways (test/fixtures/funding), the synthesized API's FundingApi function splits a budget
 * across the seven NEL places, saves it, and serves it back by id. Expected amounts are worked
 * out by hand below from the fixtures and from ../shared/data, never read back from the code.
 */

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'funding');
let platform: TestPlatform;

async function call(
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; group?: string | null } = {},
): Promise<{ status: number; body: any }> {
  const group = options.group === undefined ? 'alliance' : options.group;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (group) headers.authorization = `Bearer ${await issueToken(platform.dataDir, { group })}`;
  const response = await fetch(`${platform.runtime.apiUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

/** Only the 90+ band counts (weight 1), so need is the number of residents aged 90 and over. */
const ONLY_90_PLUS = Object.fromEntries(
  [
    '0-4',
    '5-9',
    '10-14',
    '15-19',
    '20-24',
    '25-29',
    '30-34',
    '35-39',
    '40-44',
    '45-49',
    '50-54',
    '55-59',
    '60-64',
    '65-69',
    '70-74',
    '75-79',
    '80-84',
    '85-89',
    '90+',
  ].map((band) => [band, band === '90+' ? 1 : 0]),
);

const request = {
  label: 'Worked example: FDS recovery pot',
  budget: 700_000,
  unit: 'place',
  window: { from: '2025-05', to: '2025-06' },
  standards: ['fds'],
  weights: { need: 0.5, gap: 0.3, equal: 0.2 },
  ageWeights: ONLY_90_PLUS,
  deprivation: { beta: 0.5 },
  imdEdition: '2025',
  roundTo: 1000,
};

const amounts = (body: any) =>
  Object.fromEntries(body.units.map((u: { id: string; amount: number }) => [u.id, u.amount]));

let first: { status: number; body: any };

beforeAll(async () => {
  platform = await startTestPlatform();
  for (const [trust, period] of [
    ['R1H', '2025-05'],
    ['RF4', '2025-05'],
    ['R1H', '2025-06'],
    ['RF4', '2025-06'],
  ] as const) {
    const file = `${trust.toLowerCase()}-${period}.csv`;
    await platform.upload(trust, period, file, readFileSync(join(FIXTURES, file)));
  }
  first = await call('POST', '/funding/allocations', { body: request });
});
afterAll(async () => {
  await platform?.stop();
});

describe('POST /funding/allocations', () => {
  it('splits the budget by need, gap and equal shares exactly as worked out by hand', () => {
    // The fixtures (FDS, target 75% in May and June 2025; 19-day waits within, 49–50 breach):
    //   May  R1H: E1 1BB (Tower Hamlets) 2 within + 2 breaches; E13 8SL (Newham) 1 + 1.
    //        RF4: RM7 0AG (Havering) 4 within.
    //   June R1H: E1 1BB 3 within + 1 breach; E9 6SR (Hackney) 0 + 4.
    //        RF4: RM7 0AG 2 within + 2 breaches.
    // Gap = Σ months max(0, 0.75 × total − within):
    //   Tower Hamlets May 3 − 2 = 1, June 3 − 3 = 0 → 1 (June's surplus does not offset May)
    //   Newham May 1.5 − 1 = 0.5; Havering May 3 − 4 < 0 → 0, June 3 − 2 = 1 → 1;
    //   City and Hackney June 3 − 0 = 3; others 0.  ΣG = 5.5.
    //
    // Need: residents aged 90+ (../shared/data population_mid2020_lsoa11_england.csv, column
    // pop_90_plus, LSOAs by the best-fit lookup's LAD 2022) and those of them whose LSOA 2021 is
    // in IMD 2025 quintile 1 (imd_decile 1–2):
    //   C&H 1,203 / 501; Tower Hamlets 958 / 565; Newham 1,192 / 597; Waltham Forest 1,759 /
    //   221; Redbridge 2,228 / 144; Barking and Dagenham 1,218 / 276; Havering 2,854 / 142.
    // D = N × (1 + 0.5 × Q1/N) = N + 0.5 × Q1:
    //   1,453.5; 1,240.5; 1,490.5; 1,869.5; 2,300; 1,356; 2,925.  ΣD = 12,635.
    //
    // Pots: need 0.5 × 700,000 = 350,000; gap 0.3 × 700,000 = 210,000; equal 0.2 × 700,000 / 7
    // = 20,000 each.
    //   C&H   350,000 × 1,453.5/12,635 = 40,263.16 + 210,000 × 3/5.5 = 114,545.45 + 20,000 = 174,808.61
    //   TH    34,362.88 + 38,181.82 + 20,000 =  92,544.70
    //   Newham 41,288.09 + 19,090.91 + 20,000 = 80,379.00
    //   WF    51,786.70 + 0 + 20,000 =  71,786.70
    //   Redbridge 63,711.91 + 20,000 = 83,711.91
    //   B&D   37,562.33 + 20,000 =  57,562.33
    //   Havering 81,024.93 + 38,181.82 + 20,000 = 139,206.75
    // In thousands the floors are 174 + 92 + 80 + 71 + 83 + 57 + 139 = 696; the four spare
    // £1,000s go to the largest remainders: C&H .81, WF .79, Redbridge .71, B&D .56.
    expect(first.status).toBe(201);
    expect(amounts(first.body)).toEqual({
      'city-and-hackney': 175_000,
      'tower-hamlets': 92_000,
      newham: 80_000,
      'waltham-forest': 72_000,
      redbridge: 84_000,
      'barking-and-dagenham': 58_000,
      havering: 139_000,
    });
    const unit = (id: string) => first.body.units.find((u: { id: string }) => u.id === id);
    expect(unit('city-and-hackney')).toMatchObject({
      needWeightedPopulation: 1203,
      deprivationAdjustedNeed: 1453.5,
      gap: 3,
      terms: { need: 40_263.16, gap: 114_545.45, equal: 20_000 },
      beforeDamping: 174_808.61,
      damping: null,
      share: 0.25,
    });
    expect(unit('tower-hamlets').gapLines).toEqual([
      { standard: 'fds', period: '2025-05', within: 2, total: 4, target: 0.75, shortfall: 1 },
      { standard: 'fds', period: '2025-06', within: 3, total: 4, target: 0.75, shortfall: 0 },
    ]);
    expect(unit('havering').core20Share).toBeCloseTo(142 / 2854, 9);
    expect(first.body.totals).toMatchObject({
      gap: 5.5,
      deprivationAdjustedNeed: 12_635,
      amount: 700_000,
    });
  });

  it('records the inputs’ provenance and explains itself', () => {
    const { provenance, parameters, explanation, label } = first.body;
    expect(label).toBe('Worked example: FDS recovery pot');
    expect(parameters).toMatchObject({
      unit: 'place',
      standards: ['fds'],
      weights: { need: 0.5, gap: 0.3, equal: 0.2 },
      deprivation: { beta: 0.5 },
      imdEdition: '2025',
      roundTo: 1000,
    });
    expect(provenance.population.population).toMatchObject({
      file: 'population_mid2020_lsoa11_england.csv',
      rows: 32_844,
      total: 56_550_138,
    });
    expect(provenance.population.imd).toMatchObject({
      file: 'imd2025_lsoa21_england.csv',
      edition: '2025',
    });
    expect(provenance.population.lookup.file).toBe('lsoa11_lsoa21_best_fit_england.csv');
    expect(provenance.aggregates.periodsWithData).toEqual(['2025-05', '2025-06']);
    expect(provenance.aggregates.submissions).toHaveLength(4);
    expect(provenance.config).toMatchObject({ code: 'E56000028' });
    expect(provenance.config.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(explanation[0]).toMatch(/^£700,000 was split between the 7 places/);
    expect(explanation).toContain(
      'City and Hackney: £175,000 (25%) = need £40,263 + gap £114,545 + equal share £20,000, ' +
        'rounding +£191.39; population 291,879, Core20 share of need 41.6%, 3 patients short of ' +
        'target.',
    );
  });
});

describe('GET /funding/allocations/{id}', () => {
  it('returns the saved decision exactly as it was returned', async () => {
    const saved = await call('GET', `/funding/allocations/${first.body.allocationId}`);
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual(first.body);
  });

  it('answers 404 for an unknown id', async () => {
    const missing = await call('GET', '/funding/allocations/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
  });
});

describe('damping against a saved allocation', () => {
  it('keeps every place within ±5% of last time and still spends the budget exactly', async () => {
    // Act: all by need now, damped against the first allocation.
    const second = await call('POST', '/funding/allocations', {
      body: {
        ...request,
        weights: { need: 1, gap: 0, equal: 0 },
        previous: { allocationId: first.body.allocationId },
        damping: { maxChange: 0.05 },
      },
    });

    // Assess, by hand. The formula alone (700,000 × D / 12,635) gives C&H 80,526; TH 68,726;
    // Newham 82,576; WF 103,573; Redbridge 127,424; B&D 75,125; Havering 162,050. Same budget,
    // so the ±5% bands are around last time's amounts: C&H 166,250–183,750; TH 87,400–96,600;
    // Newham 76,000–84,000; WF 68,400–75,600; Redbridge 79,800–88,200; B&D 55,100–60,900;
    // Havering 132,050–145,950. C&H, TH and Newham sit on their floors, WF, Redbridge and B&D on
    // their ceilings; Havering takes the rest: 700,000 − (166,250 + 87,400 + 76,000 + 75,600 +
    // 88,200 + 60,900) = 145,650 (inside its band).
    // Whole £1,000s inside the bands: C&H ≥ 167, TH ≥ 88, WF ≤ 75, Redbridge ≤ 88, B&D ≤ 60,
    // Havering ≤ 145 (thousands); that is 167 + 88 + 76 + 75 + 88 + 60 + 145 = 699, and the last
    // £1,000 goes to the one furthest below its exact amount that may still rise: Newham (76 of 76).
    expect(second.status).toBe(201);
    expect(amounts(second.body)).toEqual({
      'city-and-hackney': 167_000,
      'tower-hamlets': 88_000,
      newham: 77_000,
      'waltham-forest': 75_000,
      redbridge: 88_000,
      'barking-and-dagenham': 60_000,
      havering: 145_000,
    });
    expect(second.body.units.map((u: any) => u.damping.limitedBy)).toEqual([
      'lower',
      'lower',
      'lower',
      'upper',
      'upper',
      'upper',
      null,
    ]);
    expect(second.body.parameters.previous).toEqual({ allocationId: first.body.allocationId });
    for (const unit of second.body.units) {
      expect(Math.abs(unit.amount - unit.previousAmount) / unit.previousAmount).toBeLessThanOrEqual(
        0.05,
      );
    }
  });
});

describe('who may allocate', () => {
  it('answers 400 with the reason for a negative weight', async () => {
    const response = await call('POST', '/funding/allocations', {
      body: { ...request, weights: { need: 1.2, gap: -0.2, equal: 0 } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('weights.gap: weight gap must not be negative');
  });

  it('answers 400 when the weights do not sum to 1', async () => {
    const response = await call('POST', '/funding/allocations', {
      body: { ...request, weights: { need: 0.5, gap: 0.5, equal: 0.5 } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('the weights must sum to 1');
  });

  it('refuses trust staff (403) and callers without a token (401)', async () => {
    const trust = await call('POST', '/funding/allocations', { body: request, group: 'trust-RF4' });
    const read = await call('GET', `/funding/allocations/${first.body.allocationId}`, {
      group: 'trust-R1H',
    });
    const anonymous = await call('POST', '/funding/allocations', { body: request, group: null });
    expect(trust.status).toBe(403);
    expect(read.status).toBe(403);
    expect(anonymous.status).toBe(401);
  });

  it('saves one allocation per accepted request, and none for refused ones', async () => {
    // Two accepted POSTs above (the worked example and the damped one); the rest were refused.
    const dump = await platform.scanTables();
    const ids = new Set(dump.match(/"allocationId":\{"S":"[0-9a-f-]{36}"\}/g) ?? []);
    expect(ids.size).toBe(2);
  });
});
