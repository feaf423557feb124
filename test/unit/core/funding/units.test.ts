import { describe, expect, it } from 'vitest';
import { AllianceConfigSchema } from '../../../../lambdas/core/config';
import { populationTotal } from '../../../../lambdas/core/funding';
import {
  gapLines,
  placeCatchments,
  placePopulations,
  totalShortfall,
  trustPopulations,
} from '../../../../lambdas/core/funding-units';
import { buildPerformance } from '../../../../lambdas/core/performance';
import nel from '../../../../lib/alliances/north-east-london.json';
import { population } from './support';

const config = AllianceConfigSchema.parse(nel);
const P = '2025-06';

/** One month of FDS for RF4 and R1H: headline cells and the `place` breakdown. */
const contributions = [
  {
    period: P,
    standard: 'fds' as const,
    cells: [
      ['all', 'RF4', 'all', 3, 5],
      ['all', 'R1H', 'all', 6, 11],
      ['place', 'RF4', 'havering', 2, 4],
      ['place', 'RF4', 'outside-alliance', 1, 1],
      ['place', 'R1H', 'havering', 1, 1],
      ['place', 'R1H', 'newham', 5, 10],
    ] as const,
  },
];

const fds = (by?: 'place') =>
  buildPerformance({
    standard: 'fds',
    from: P,
    to: P,
    ...(by ? { by } : {}),
    contributions,
    config,
    disclosure: 'full',
  });

describe('units from reference data and aggregates', () => {
  it('adds up each place from its local authorities', () => {
    // Prepare: City (E09000001) 10 + Hackney (E09000012) 100 people; Newham missing.
    const byLa = new Map([
      ['E09000001', population({ '4': { '20-24': 10 } })],
      ['E09000012', population({ '1': { '20-24': 100 } })],
    ]);

    // Act
    const { populations, missingLocalAuthorities } = placePopulations(config.places, byLa);

    // Assess
    expect(populationTotal(populations.get('city-and-hackney') ?? population({}))).toBe(110);
    expect(missingLocalAuthorities).toContain('E09000025');
  });

  it("shares each place's population between trusts by their share of its patients", () => {
    // Act
    const catchments = placeCatchments(
      ['R1H', 'RF4', 'RQX'],
      config.places.map((p) => p.id),
      fds('place').rows,
    );
    const havering = catchments.find((c) => c.place === 'havering');
    const redbridge = catchments.find((c) => c.place === 'redbridge');

    // Assess: Havering patients RF4 4 + R1H 1 = 5 → 0.8 / 0.2 / 0; Redbridge has none → 1/3 each.
    expect(havering).toMatchObject({ patients: 5, equalFallback: false });
    expect(havering?.shares).toEqual({ R1H: 0.2, RF4: 0.8, RQX: 0 });
    expect(redbridge?.equalFallback).toBe(true);
    expect(redbridge?.shares.RQX).toBeCloseTo(1 / 3, 12);

    // And the catchment populations: Havering 1,000 people → RF4 800, R1H 200.
    const populations = new Map([['havering', population({ '2': { '60-64': 1000 } })]]);
    const byTrust = trustPopulations(['R1H', 'RF4', 'RQX'], catchments, populations);
    expect(populationTotal(byTrust.get('RF4') ?? population({}))).toBe(800);
    expect(populationTotal(byTrust.get('R1H') ?? population({}))).toBe(200);
    expect(populationTotal(byTrust.get('RQX') ?? population({}))).toBe(0);
  });

  it('counts patients short of the target in force, per month, for places and trusts', () => {
    // Act
    const places = gapLines(
      'place',
      config.places.map((p) => p.id),
      [fds('place')],
    );
    const trusts = gapLines('trust', ['R1H', 'RF4', 'RQX'], [fds()]);

    // Assess, FDS target 75% in June 2025:
    // Havering (all trusts) 3 of 5 within → 0.75 × 5 − 3 = 0.75; Newham 5 of 10 → 7.5 − 5 = 2.5;
    // RF4 3 of 5 → 0.75; R1H 6 of 11 → 8.25 − 6 = 2.25. Outside-alliance patients count for no place.
    expect(places.get('havering')).toEqual([
      { standard: 'fds', period: P, within: 3, total: 5, target: 0.75, shortfall: 0.75 },
    ]);
    expect(totalShortfall(places.get('newham') ?? [])).toBe(2.5);
    expect(places.get('redbridge')).toEqual([]);
    expect(totalShortfall(trusts.get('RF4') ?? [])).toBe(0.75);
    expect(totalShortfall(trusts.get('R1H') ?? [])).toBe(2.25);
    expect(trusts.get('RQX')).toEqual([]);
  });
});
