import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReferenceDirectory } from '../../../../lambdas/adapters/reference-data';
import { ENRICH_WARNINGS, enrichRecord } from '../../../../lambdas/core/enrich';
import type { StandardOutcome } from '../../../../lambdas/core/outcomes';
import type { ReferenceData } from '../../../../lambdas/core/reference';
import { day, nelConfig, pathwayRecord, writeReferenceFixture } from './support';

const outcome: StandardOutcome = {
  standard: 'fds',
  month: '2026-02',
  clockStart: day('2026-02-02'),
  clockStop: day('2026-02-20'),
  waitDays: 18,
  within: true,
  allocations: [{ trust: 'R1H', within: 1, total: 1 }],
};
const derived = { route: 'usc' as const, outcomes: [outcome] };

let fixture: { dir: string; cleanup: () => void };
let ref2025: ReferenceData;
let ref2019: ReferenceData;

beforeAll(async () => {
  fixture = writeReferenceFixture();
  ref2025 = await parseReferenceDirectory(fixture.dir, '2025');
  ref2019 = await parseReferenceDirectory(fixture.dir, '2019');
});
afterAll(() => fixture.cleanup());

describe('enrichRecord: deprivation', () => {
  it('goes postcode → LSOA 2021 → IMD 2025 decile/quintile → Core20', () => {
    // Prepare: E1 1BB is in E01004322, IMD 2025 decile 1 → quintile ceil(1/2) = 1 → Core20.
    const record = pathwayRecord({ postcode: 'E1 1BB' });
    // Act
    const { enriched, warnings } = enrichRecord(record, derived, ref2025, nelConfig());
    // Assess
    expect(warnings).toEqual([]);
    expect(enriched).toMatchObject({
      imdEdition: '2025',
      lsoa21: 'E01004322',
      imdDecile: 1,
      imdQuintile: 1,
      core20: true,
      localAuthority: 'E09000030',
      place: 'tower-hamlets',
    });
  });

  it('is not Core20 outside national quintile 1', () => {
    // Prepare: RM7 0AG → E01002248, decile 4 → quintile 2.
    const record = pathwayRecord({ postcode: 'RM7 0AG' });
    // Act
    const { enriched } = enrichRecord(record, derived, ref2025, nelConfig());
    // Assess
    expect(enriched).toMatchObject({
      imdDecile: 4,
      imdQuintile: 2,
      core20: false,
      place: 'havering',
    });
  });

  it('uses a supplied LSOA 2011 code through the best fit, ahead of the postcode', () => {
    // Prepare: E01004197 (2011) best-fits to E01035660 (2025 decile 2 → quintile 1); the postcode
    // points elsewhere and must be ignored.
    const record = pathwayRecord({ lsoaCode: 'e01004197', postcode: 'RM7 0AG' });
    // Act
    const { enriched, warnings } = enrichRecord(record, derived, ref2025, nelConfig());
    // Assess
    expect(warnings).toEqual([]);
    expect(enriched).toMatchObject({
      lsoa21: 'E01035660',
      imdDecile: 2,
      imdQuintile: 1,
      core20: true,
    });
  });

  it('uses a supplied LSOA 2021 code directly', () => {
    const record = pathwayRecord({ lsoaCode: 'E01035661', postcode: null });
    const { enriched } = enrichRecord(record, derived, ref2025, nelConfig());
    expect(enriched).toMatchObject({ lsoa21: 'E01035661', imdDecile: 2, place: 'tower-hamlets' });
  });

  it('warns about an unknown postcode and leaves deprivation and place unknown', () => {
    const record = pathwayRecord({ postcode: 'ZZ9 9ZZ' });
    const { enriched, warnings } = enrichRecord(record, derived, ref2025, nelConfig());
    expect(warnings).toEqual([ENRICH_WARNINGS.postcodeUnknown]);
    expect(enriched).toMatchObject({
      lsoa21: null,
      imdDecile: null,
      imdQuintile: null,
      core20: null,
      localAuthority: null,
      place: 'unknown',
    });
  });

  it('warns about an unknown LSOA code and falls back to the postcode', () => {
    const record = pathwayRecord({ lsoaCode: 'E01999999', postcode: 'E9 6SR' });
    const { enriched, warnings } = enrichRecord(record, derived, ref2025, nelConfig());
    expect(warnings).toEqual([ENRICH_WARNINGS.lsoaUnknown]);
    expect(enriched.lsoa21).toBe('E01001729');
  });

  it('warns when neither an LSOA nor a postcode is supplied', () => {
    const record = pathwayRecord({ lsoaCode: null, postcode: null });
    const { enriched, warnings } = enrichRecord(record, derived, ref2025, nelConfig());
    expect(warnings).toEqual([ENRICH_WARNINGS.locationMissing]);
    expect(enriched.place).toBe('unknown');
  });

  it('follows IMD 2019 through the reverse best fit when the alliance uses IMD 2019', () => {
    // Prepare: E1 1BB's LSOA E01004322 has IMD 2019 decile 3 (→ quintile 2, not Core20).
    // E1 4AA is in E01035670, the merge of E01004261 (4) and E01004262 (3): 3.5 → 3.
    // E2 9BS is in E01035661, a split child whose postcodes carry parent E01004197 (decile 3).
    const config = nelConfig('2019');
    // Act
    const unchanged = enrichRecord(pathwayRecord({ postcode: 'E1 1BB' }), derived, ref2019, config);
    const merged = enrichRecord(pathwayRecord({ postcode: 'E1 4AA' }), derived, ref2019, config);
    const split = enrichRecord(pathwayRecord({ postcode: 'E2 9BS' }), derived, ref2019, config);
    // Assess
    expect(unchanged.enriched).toMatchObject({
      imdEdition: '2019',
      imdDecile: 3,
      imdQuintile: 2,
      core20: false,
    });
    expect(merged.enriched).toMatchObject({ lsoa21: 'E01035670', imdDecile: 3, imdQuintile: 2 });
    expect(split.enriched).toMatchObject({ lsoa21: 'E01035661', imdDecile: 3, imdQuintile: 2 });
  });

  it('refuses reference data of another IMD edition than the alliance configures', () => {
    const record = pathwayRecord();
    expect(() => enrichRecord(record, derived, ref2019, nelConfig('2025'))).toThrow(
      expect.objectContaining({ code: 'REFERENCE_EDITION_MISMATCH' }),
    );
  });
});

describe('enrichRecord: place', () => {
  it.each([
    ['EC2Y 8AA', 'E09000001', 'city-and-hackney'], // City of London
    ['E9 6SR', 'E09000012', 'city-and-hackney'], // Hackney
    ['E1 1BB', 'E09000030', 'tower-hamlets'],
    ['HU1 1AA', 'E06000010', 'outside-alliance'], // Hull: known, in no NEL place
    ['CO15 2AA', 'E07000076', 'outside-alliance'],
  ])('%s (LA %s) → %s', (postcode, la, place) => {
    const { enriched } = enrichRecord(pathwayRecord({ postcode }), derived, ref2025, nelConfig());
    expect(enriched.localAuthority).toBe(la);
    expect(enriched.place).toBe(place);
  });
});

describe('enrichRecord: breakdown groups and derived outcomes', () => {
  it('labels the record and carries the route and outcomes through unchanged', () => {
    // Prepare: born 14 Jul 1956, referred 2 Feb 2026 → 69 (birthday not yet reached in 2026).
    const record = pathwayRecord({
      sex: '1',
      ethnicity: 'N',
      cancerReferralType: '03',
      primaryDiagnosis: 'C18.7',
    });
    // Act
    const { enriched } = enrichRecord(record, derived, ref2025, nelConfig());
    // Assess
    expect(enriched).toMatchObject({
      row: record.row,
      pathwayId: record.pathwayId,
      route: 'usc',
      ageBand: '60-69',
      sex: 'Male',
      ethnicGroup: 'Black or Black British',
      suspectedCancerType: 'Suspected lower gastrointestinal cancer',
      treatedCancerType: 'Lower Gastrointestinal',
    });
    expect(enriched.outcomes).toEqual([outcome]);
  });

  it('adds the 31-day modality group and carries the open-pathway clock for the backlog', () => {
    // Prepare: modality 05 (teletherapy) is in the Radiotherapy group (domain brief §1.5).
    const record = pathwayRecord({ treatmentModality: '05' });
    const openPathway = { trust: 'R1H', clockStart: day('2026-02-02'), adjustmentDays: 0 };

    // Act
    const open = enrichRecord(record, { ...derived, openPathway }, ref2025, nelConfig());
    const closed = enrichRecord(pathwayRecord(), derived, ref2025, nelConfig());

    // Assess
    expect(open.enriched).toMatchObject({ modalityGroup: 'Radiotherapy', openPathway });
    expect(closed.enriched).toMatchObject({ modalityGroup: 'Not known', openPathway: null });
  });
});

describe('enrichRecord: no patient identifiers leave enrichment', () => {
  it('copies nothing of the NHS number, date of birth or postcode into the enriched record', () => {
    // Prepare: distinctive identifiers; the date of birth day number is negative (born 1950) so
    // it cannot collide with clock day numbers in the outcomes.
    const record = pathwayRecord({
      nhsNumber: '9434765919',
      dateOfBirth: day('1950-03-17'),
      postcode: 'E9 6SR',
    });
    // Act
    const { enriched } = enrichRecord(record, derived, ref2025, nelConfig());
    const json = JSON.stringify(enriched);
    // Assess
    expect(json).not.toContain('9434765919');
    expect(json).not.toContain(String(record.dateOfBirth));
    expect(json).not.toContain('1950');
    expect(json).not.toContain('E9 6SR');
    expect(json).not.toContain('E96SR');
    expect(json).not.toMatch(/nhsNumber|dateOfBirth|postcode/);
    // The place is still derived from the postcode.
    expect(enriched.place).toBe('city-and-hackney');
  });
});
