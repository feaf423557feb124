import { describe, expect, it } from 'vitest';
import { createAccumulator } from '../../../../lambdas/core/aggregate';
import type { EnrichedRecord } from '../../../../lambdas/core/enriched';
import {
  decodeEnrichedLine,
  ENRICHED_LINE_VERSION,
  encodeEnrichedLine,
  StagingFormatError,
} from '../../../../lambdas/core/enriched-line';
import { enrichedRecord } from './support';

const PERIOD = '2026-03';

/** What the object form of staging gave Summarise: the record after a JSON round trip. */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const records: EnrichedRecord[] = [
  // A 31-day subsequent treatment (stage set) with a modality group.
  enrichedRecord({
    row: 7,
    modalityGroup: 'Surgery',
    outcomes: [
      {
        standard: '31d',
        month: PERIOD,
        clockStart: 20_510,
        clockStop: 20_530,
        waitDays: 20,
        within: true,
        allocations: [{ trust: 'RF4', within: 1, total: 1 }],
        stage: 'subsequent',
      },
    ],
    openPathway: null,
  }),
  // A shared 62-day breach (0.5 weights to two trusts), unknown IMD and place, no modality.
  enrichedRecord({
    row: 8,
    pathwayId: 'PW-"quoted"–dash',
    imdDecile: null,
    imdQuintile: null,
    core20: null,
    lsoa21: null,
    localAuthority: null,
    place: 'unknown',
    outcomes: [
      {
        standard: '62d',
        month: PERIOD,
        clockStart: 20_440,
        clockStop: 20_530,
        waitDays: 90,
        within: false,
        allocations: [
          { trust: 'R1H', within: 0, total: 0.5 },
          { trust: 'RQX', within: 0, total: 0.5 },
        ],
      },
    ],
    openPathway: null,
  }),
  // An open pathway on the backlog, no outcomes.
  enrichedRecord({
    row: 9,
    outcomes: [],
    openPathway: { trust: 'R1H', clockStart: 20_480, adjustmentDays: 3 },
  }),
];

describe('enriched staging line', () => {
  it('reads back every field the object form carried', () => {
    // Act
    const decoded = records.map((record) => decodeEnrichedLine(encodeEnrichedLine(record)));

    // Assess: equal to the JSON round trip of the object (absent optionals stay absent).
    expect(decoded).toEqual(viaJson(records));
    expect(decoded[1]?.outcomes[0]?.allocations).toEqual([
      { trust: 'R1H', within: 0, total: 0.5 },
      { trust: 'RQX', within: 0, total: 0.5 },
    ]);
    expect(decoded[0]?.outcomes[0]?.within).toBe(true);
  });

  it('is shorter than the object form', () => {
    for (const record of records) {
      expect(encodeEnrichedLine(record).length).toBeLessThan(JSON.stringify(record).length);
    }
  });

  it('sums to the same partial as the object form', () => {
    // Prepare
    const viaObjects = createAccumulator('s', PERIOD);
    const viaLines = createAccumulator('s', PERIOD);

    // Act
    for (const record of records) {
      viaObjects.add(viaJson(record));
      viaLines.add(decodeEnrichedLine(encodeEnrichedLine(record)));
    }

    // Assess: e.g. 62d|all|R1H|all = [0, 0.5] and backlog cells from the open pathway.
    const partial = viaLines.result();
    expect(partial).toEqual(viaObjects.result());
    expect(partial.cells['62d|all|R1H|all']).toEqual([0, 0.5]);
    expect(Object.keys(partial.cells).some((key) => key.startsWith('backlog|'))).toBe(true);
  });

  it('refuses a line of another version or shape', () => {
    const line = JSON.parse(encodeEnrichedLine(records[0] as EnrichedRecord)) as unknown[];
    const otherVersion = JSON.stringify([ENRICHED_LINE_VERSION + 1, ...line.slice(1)]);
    expect(() => decodeEnrichedLine(otherVersion)).toThrow(StagingFormatError);
    expect(() => decodeEnrichedLine(JSON.stringify(records[0]))).toThrow(StagingFormatError);
    expect(() => decodeEnrichedLine(JSON.stringify(line.slice(0, -1)))).toThrow(StagingFormatError);
  });

  it('refuses an outcome whose allocations are cut short or not numbers', () => {
    // Prepare: a record with an outcome; its allocation list is (trust, within, total) triples
    const record = records.find((r) => r.outcomes.length > 0) as EnrichedRecord;
    const line = JSON.parse(encodeEnrichedLine(record)) as unknown[];
    const at = line.findIndex((field) => Array.isArray(field) && Array.isArray(field[0]));
    const withFlat = (change: (flat: unknown[]) => unknown[]) => {
      const outcomes = (line[at] as unknown[][]).map((outcome) => [...outcome]);
      const first = outcomes[0] as unknown[];
      first[6] = change(first[6] as unknown[]);
      const copy = [...line];
      copy[at] = outcomes;
      return JSON.stringify(copy);
    };

    // Assess: the unchanged line reads; a dropped weight or a null weight does not
    expect(() => decodeEnrichedLine(withFlat((flat) => flat))).not.toThrow();
    expect(() => decodeEnrichedLine(withFlat((flat) => flat.slice(0, -1)))).toThrow(
      StagingFormatError,
    );
    expect(() => decodeEnrichedLine(withFlat((flat) => [...flat.slice(0, -1), null]))).toThrow(
      StagingFormatError,
    );
  });
});
