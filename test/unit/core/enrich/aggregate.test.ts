import { describe, expect, it } from 'vitest';
import {
  cellsByStandard,
  createAccumulator,
  mergePartials,
} from '../../../../lambdas/core/aggregate';
import type { Standard } from '../../../../lambdas/core/config';
import type { EnrichedRecord, PartialAggregate } from '../../../../lambdas/core/enriched';
import type { Allocation, Route, StandardOutcome } from '../../../../lambdas/core/outcomes';
import { enrichedRecord } from './support';

const PERIOD = '2026-03';

function outcome(standard: Standard, month: string, allocations: Allocation[]): StandardOutcome {
  return {
    standard,
    month,
    clockStart: 20_500,
    clockStop: 20_520,
    waitDays: 20,
    within: allocations.every((a) => a.within === a.total),
    allocations,
  };
}

/** Expected cells for one standard and trust, written as [dimension, group, within, total]. */
function cells(
  standard: Standard,
  trust: string,
  rows: Array<[string, string, number, number]>,
): Record<string, [number, number]> {
  return Object.fromEntries(
    rows.map(([dimension, group, w, t]) => [`${standard}|${dimension}|${trust}|${group}`, [w, t]]),
  );
}

describe('createAccumulator', () => {
  // Five records (defaults from enrichedRecord: IMD decile 1 / quintile 1 / Core20, White, 60-69,
  // Female, tower-hamlets, route usc, suspected lung, treated Lung).
  const records: EnrichedRecord[] = [
    // R1: FDS within, R1H.
    enrichedRecord({ outcomes: [outcome('fds', PERIOD, [{ trust: 'R1H', within: 1, total: 1 }])] }),
    // R2: FDS breach, R1H, different groups in every dimension.
    enrichedRecord({
      imdDecile: 5,
      imdQuintile: 3,
      core20: false,
      ethnicGroup: 'Asian or Asian British',
      ageBand: '40-49',
      sex: 'Male',
      place: 'newham',
      route: 'screening',
      suspectedCancerType: 'Suspected breast cancer',
      outcomes: [outcome('fds', PERIOD, [{ trust: 'R1H', within: 0, total: 1 }])],
    }),
    // R3: an FDS outcome of another month (ignored) and a 62-day breach shared R1H/RQX.
    enrichedRecord({
      imdDecile: null,
      imdQuintile: null,
      core20: null,
      ethnicGroup: 'Not known',
      ageBand: 'unknown',
      sex: 'Not known',
      place: 'unknown',
      route: 'consultant-upgrade',
      outcomes: [
        outcome('fds', '2026-02', [{ trust: 'R1H', within: 1, total: 1 }]),
        outcome('62d', PERIOD, [
          { trust: 'R1H', within: 0, total: 0.5 },
          { trust: 'RQX', within: 0, total: 0.5 },
        ]),
      ],
    }),
    // R4: 31-day within at RF4, treated Breast by surgery.
    enrichedRecord({
      treatedCancerType: 'Breast',
      modalityGroup: 'Surgery',
      outcomes: [outcome('31d', PERIOD, [{ trust: 'RF4', within: 1, total: 1 }])],
    }),
    // R5: 62-day within at RQX, plus a zero-weight allocation that must leave no cell.
    enrichedRecord({
      outcomes: [
        outcome('62d', PERIOD, [
          { trust: 'RQX', within: 1, total: 1 },
          { trust: 'R1H', within: 0, total: 0 },
        ]),
      ],
    }),
  ];

  it('sums allocations of the period into headline and breakdown cells', () => {
    // Prepare
    const accumulator = createAccumulator('sub-1', PERIOD);
    // Act
    for (const record of records) accumulator.add(record);
    accumulator.addWarning('POSTCODE_UNKNOWN');
    accumulator.addWarning('POSTCODE_UNKNOWN');
    accumulator.addWarning('LSOA_UNKNOWN');
    const partial = accumulator.result();
    // Assess: worked out record by record (see the comments on each record above).
    expect(partial).toMatchObject({
      version: 1,
      submissionId: 'sub-1',
      period: PERIOD,
      records: 5,
      counted: { fds: 2, '31d': 1, '62d': 2 },
      warnings: { POSTCODE_UNKNOWN: 2, LSOA_UNKNOWN: 1 },
    });
    expect(partial.cells).toEqual({
      ...cells('fds', 'R1H', [
        ['all', 'all', 1, 2],
        ['imdQuintile', '1', 1, 1],
        ['imdQuintile', '3', 0, 1],
        ['imdDecile', '1', 1, 1],
        ['imdDecile', '5', 0, 1],
        ['core20', 'core20', 1, 1],
        ['core20', 'other', 0, 1],
        ['ethnicity', 'White', 1, 1],
        ['ethnicity', 'Asian or Asian British', 0, 1],
        ['ageBand', '60-69', 1, 1],
        ['ageBand', '40-49', 0, 1],
        ['sex', 'Female', 1, 1],
        ['sex', 'Male', 0, 1],
        ['place', 'tower-hamlets', 1, 1],
        ['place', 'newham', 0, 1],
        ['route', 'Urgent suspected cancer', 1, 1],
        ['route', 'Screening', 0, 1],
        ['cancerType', 'Suspected lung cancer', 1, 1],
        ['cancerType', 'Suspected breast cancer', 0, 1],
      ]),
      ...cells('31d', 'RF4', [
        ['all', 'all', 1, 1],
        ['imdQuintile', '1', 1, 1],
        ['imdDecile', '1', 1, 1],
        ['core20', 'core20', 1, 1],
        ['ethnicity', 'White', 1, 1],
        ['ageBand', '60-69', 1, 1],
        ['sex', 'Female', 1, 1],
        ['place', 'tower-hamlets', 1, 1],
        ['route', 'Urgent suspected cancer', 1, 1],
        ['cancerType', 'Breast', 1, 1], // treated type for 31/62-day
        ['modality', 'Surgery', 1, 1], // modality groups for 31-day only
      ]),
      ...cells('62d', 'R1H', [
        ['all', 'all', 0, 0.5],
        ['imdQuintile', 'unknown', 0, 0.5],
        ['imdDecile', 'unknown', 0, 0.5],
        ['core20', 'unknown', 0, 0.5],
        ['ethnicity', 'Not known', 0, 0.5],
        ['ageBand', 'unknown', 0, 0.5],
        ['sex', 'Not known', 0, 0.5],
        ['place', 'unknown', 0, 0.5],
        ['route', 'Consultant upgrade', 0, 0.5],
        ['cancerType', 'Lung', 0, 0.5],
      ]),
      ...cells('62d', 'RQX', [
        ['all', 'all', 1, 1.5], // R3's half breach + R5
        ['imdQuintile', 'unknown', 0, 0.5],
        ['imdQuintile', '1', 1, 1],
        ['imdDecile', 'unknown', 0, 0.5],
        ['imdDecile', '1', 1, 1],
        ['core20', 'unknown', 0, 0.5],
        ['core20', 'core20', 1, 1],
        ['ethnicity', 'Not known', 0, 0.5],
        ['ethnicity', 'White', 1, 1],
        ['ageBand', 'unknown', 0, 0.5],
        ['ageBand', '60-69', 1, 1],
        ['sex', 'Not known', 0, 0.5],
        ['sex', 'Female', 1, 1],
        ['place', 'unknown', 0, 0.5],
        ['place', 'tower-hamlets', 1, 1],
        ['route', 'Consultant upgrade', 0, 0.5],
        ['route', 'Urgent suspected cancer', 1, 1],
        ['cancerType', 'Lung', 1, 1.5], // both records treated for Lung
      ]),
    });
  });

  it('returns snapshots that later additions do not change', () => {
    const accumulator = createAccumulator('sub-1', PERIOD);
    accumulator.add(records[0] as EnrichedRecord);
    const first = accumulator.result();
    accumulator.add(records[0] as EnrichedRecord);
    expect(first.cells['fds|all|R1H|all']).toEqual([1, 1]);
    expect(accumulator.result().cells['fds|all|R1H|all']).toEqual([2, 2]);
  });
});

describe('cellsByStandard', () => {
  it('lists each standard as sorted [dimension, trust, group, within, total] tuples', () => {
    // Prepare
    const partial: PartialAggregate = {
      version: 1,
      submissionId: 'sub-1',
      period: PERIOD,
      records: 3,
      counted: { fds: 2, '31d': 0, '62d': 1 },
      warnings: {},
      cells: {
        'fds|place|RQX|newham': [1, 2],
        'fds|all|RQX|all': [1, 2],
        'fds|all|R1H|all': [3, 4],
        '62d|all|RQX|all': [0, 0.5],
      },
    };
    // Act
    const lists = cellsByStandard(partial);
    // Assess
    expect(lists).toEqual({
      fds: [
        ['all', 'R1H', 'all', 3, 4],
        ['all', 'RQX', 'all', 1, 2],
        ['place', 'RQX', 'newham', 1, 2],
      ],
      '31d': [],
      '62d': [['all', 'RQX', 'all', 0, 0.5]],
      '62d-treating': [],
      '38d': [],
      '24d': [],
      backlog: [],
    });
  });
});

describe('mergePartials', () => {
  /** Deterministic pseudo-random numbers (mulberry32) so a failure can be replayed. */
  function generator(seed: number) {
    let state = seed >>> 0;
    const next = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    return { next, pick };
  }

  function randomRecord(random: ReturnType<typeof generator>): EnrichedRecord {
    const weight = () => random.pick([0, 0.5, 1]);
    const decile = random.pick([null, 1, 2, 5, 10]);
    const outcomes: StandardOutcome[] = [];
    const count = Math.floor(random.next() * 3);
    for (let i = 0; i < count; i += 1) {
      const allocations: Allocation[] = [];
      for (const trust of ['R1H', 'RF4', 'RQX']) {
        if (random.next() < 0.5) {
          const total = weight();
          const within = random.pick(total === 1 ? [0, 0.5, 1] : [0, total]);
          allocations.push({ trust, within, total });
        }
      }
      outcomes.push(
        outcome(random.pick(['fds', '31d', '62d']), random.pick([PERIOD, '2026-02']), allocations),
      );
    }
    return enrichedRecord({
      imdDecile: decile,
      imdQuintile: decile === null ? null : Math.ceil(decile / 2),
      core20: decile === null ? null : decile <= 2,
      ethnicGroup: random.pick(['White', 'Mixed', 'Not known']),
      ageBand: random.pick(['0-39', '80+', 'unknown']),
      sex: random.pick(['Male', 'Female']),
      place: random.pick(['newham', 'havering', 'unknown']),
      route: random.pick<Route>(['usc', 'screening', 'consultant-upgrade']),
      suspectedCancerType: random.pick(['Suspected lung cancer', 'Suspected skin cancer']),
      treatedCancerType: random.pick(['Lung', 'Skin', 'Other']),
      outcomes,
    });
  }

  it('equals a single pass exactly however the records are split into chunks', () => {
    for (let run = 0; run < 60; run += 1) {
      // Prepare: random records and random cut points.
      const random = generator(run + 1);
      const records = Array.from({ length: 1 + Math.floor(random.next() * 80) }, () =>
        randomRecord(random),
      );
      const warnings = records.map(() => random.pick(['POSTCODE_UNKNOWN', 'LSOA_UNKNOWN', null]));
      const cuts = [
        0,
        ...Array.from({ length: 3 }, () => Math.floor(random.next() * records.length)),
      ]
        .concat(records.length)
        .sort((a, b) => a - b);
      const summarise = (from: number, to: number) => {
        const accumulator = createAccumulator('sub-1', PERIOD);
        for (let i = from; i < to; i += 1) {
          accumulator.add(records[i] as EnrichedRecord);
          const warning = warnings[i];
          if (warning) accumulator.addWarning(warning);
        }
        return accumulator.result();
      };
      const single = summarise(0, records.length);
      const chunks = cuts.slice(1).map((to, index) => summarise(cuts[index] ?? 0, to));

      // Act: merge left to right and right to left.
      const merged = chunks.reduce((a, b) => mergePartials(a, b));
      const mergedBackwards = [...chunks].reverse().reduce((a, b) => mergePartials(a, b));

      // Assess: weights in {0, 0.5, 1} are exact in binary, so equality is exact.
      expect(merged).toEqual(single);
      expect(mergedBackwards).toEqual(single);
    }
  });

  it('refuses to merge partials of different submissions or months', () => {
    const a = createAccumulator('sub-1', PERIOD).result();
    expect(() => mergePartials(a, createAccumulator('sub-2', PERIOD).result())).toThrow(
      expect.objectContaining({ code: 'PARTIAL_MISMATCH' }),
    );
    expect(() => mergePartials(a, createAccumulator('sub-1', '2026-04').result())).toThrow(
      expect.objectContaining({ code: 'PARTIAL_MISMATCH' }),
    );
  });
});
