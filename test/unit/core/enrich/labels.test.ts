import { describe, expect, it } from 'vitest';
import {
  ageBandLabel,
  ageInYears,
  DEFAULT_LABELS,
  ethnicGroupLabel,
  type LabelTables,
  modalityGroupLabel,
  NOT_KNOWN,
  routeLabel,
  sexLabel,
  suspectedCancerTypeLabel,
  treatedCancerTypeLabel,
} from '../../../../lambdas/core/labels';
import { day } from './support';

describe('suspected cancer type', () => {
  it.each([
    ['02', 'Suspected lung cancer'],
    ['2', 'Suspected lung cancer'],
    // 16 and 17 as the national publication prints them (domain brief §1.5: en dashes).
    ['16', 'Exhibited (non-cancer) breast symptoms – cancer not initially suspected'],
    ['17', 'Suspected cancer – non-specific symptoms'],
    ['99', NOT_KNOWN],
    [null, NOT_KNOWN],
  ])('code %s → %s (domain brief §2.1a, §1.5)', (code, label) => {
    // Act / Assess
    expect(suspectedCancerTypeLabel(code)).toBe(label);
  });

  it('takes its labels from configuration', () => {
    // Prepare
    const labels: LabelTables = {
      ...DEFAULT_LABELS,
      suspectedCancerTypes: { '02': 'Lung (local)' },
    };
    // Act / Assess
    expect(suspectedCancerTypeLabel('02', labels)).toBe('Lung (local)');
    expect(suspectedCancerTypeLabel('01', labels)).toBe(NOT_KNOWN);
  });
});

describe('treated cancer type from ICD-10', () => {
  it.each([
    ['C50.9', 'Breast'],
    ['D059', 'Breast'],
    ['C341', 'Lung'],
    ['C33X', 'Lung'],
    ['C18.7', 'Lower Gastrointestinal'],
    ['C21', 'Lower Gastrointestinal'],
    ['C15.5', 'Upper GI – Oesophagus & Stomach'],
    ['C25.0', 'Upper GI – Hepatobiliary'],
    ['C56X', 'Gynaecological'],
    ['C02.1', 'Head & Neck'],
    ['C32.0', 'Head & Neck'],
    ['C44.3', 'Skin'],
    ['C83.3', 'Haematological – Lymphoma'],
    ['C88.0', 'Haematological – Lymphoma'],
    ['C87', 'Other'], // C87 is not a valid category: falls outside both lymphoma ranges
    ['C90.0', 'Haematological – Other'],
    ['C91.1', 'Haematological – Other'], // chronic lymphocytic leukaemia
    ['C91.0', 'Acute leukaemia'],
    ['c920', 'Acute leukaemia'],
    ['C95.0', 'Acute leukaemia'],
    ['C61X', 'Urological – Prostate'],
    ['C67.9', 'Urological – Other'],
    ['C60.1', 'Urological – Other'],
    ['C62.1', 'Testicular'],
    ['C71.9', 'Brain/CNS'],
    ['C40.2', 'Sarcoma'],
    ['C49.9', 'Sarcoma'],
    ['C80.9', 'Other'],
    ['C73X', 'Other'],
    ['', NOT_KNOWN],
    [null, NOT_KNOWN],
  ])('%s → %s', (code, label) => {
    // Act / Assess: each expectation is the range in the brief the code falls into.
    expect(treatedCancerTypeLabel(code)).toBe(label);
  });
});

describe('ethnic group', () => {
  it.each([
    ['A', 'White'],
    ['C', 'White'],
    ['D', 'Mixed'],
    ['G', 'Mixed'],
    ['H', 'Asian or Asian British'],
    ['L', 'Asian or Asian British'],
    ['M', 'Black or Black British'],
    ['P', 'Black or Black British'],
    ['R', 'Other ethnic group'],
    ['S', 'Other ethnic group'],
    ['S1', 'Other ethnic group'], // second character is local
    ['z', 'Not stated'],
    ['99', NOT_KNOWN],
    ['I', NOT_KNOWN], // not a national code
    ['', NOT_KNOWN],
    [null, NOT_KNOWN],
  ])('%s → %s', (code, label) => {
    expect(ethnicGroupLabel(code)).toBe(label);
  });
});

describe('sex and route', () => {
  it.each([
    ['1', 'Male'],
    ['2', 'Female'],
    ['9', 'Indeterminate'],
    ['X', NOT_KNOWN],
    [null, NOT_KNOWN],
  ])('person stated gender %s → %s', (code, label) => {
    expect(sexLabel(code)).toBe(label);
  });

  it('labels every route as the national publication does', () => {
    expect(routeLabel('usc')).toBe('Urgent suspected cancer');
    expect(routeLabel('breast-symptomatic')).toBe('Breast symptomatic');
    expect(routeLabel('screening')).toBe('Screening');
    expect(routeLabel('consultant-upgrade')).toBe('Consultant upgrade');
    expect(routeLabel('unknown')).toBe(NOT_KNOWN);
  });
});

describe('age', () => {
  it('counts a year only once the birthday is reached', () => {
    // Prepare: born 10 May 1960 → 59 the day before the 60th birthday, 60 on it.
    const born = day('1960-05-10');
    // Act / Assess
    expect(ageInYears(born, day('2020-05-09'))).toBe(59);
    expect(ageInYears(born, day('2020-05-10'))).toBe(60);
    expect(ageBandLabel(born, day('2020-05-09'))).toBe('50-59');
    expect(ageBandLabel(born, day('2020-05-10'))).toBe('60-69');
  });

  it('gives someone born on 29 February their birthday on 1 March in a common year', () => {
    // Prepare: born 29 Feb 1944; 2023 is a common year, 2024 a leap year.
    const born = day('1944-02-29');
    // Act / Assess: 2023 − 1944 = 79 once the birthday has passed.
    expect(ageInYears(born, day('2023-02-28'))).toBe(78);
    expect(ageInYears(born, day('2023-03-01'))).toBe(79);
    expect(ageInYears(born, day('2024-02-28'))).toBe(79);
    expect(ageInYears(born, day('2024-02-29'))).toBe(80);
    expect(ageBandLabel(born, day('2024-02-28'))).toBe('70-79');
    expect(ageBandLabel(born, day('2024-02-29'))).toBe('80+');
  });

  it('agrees with calendar arithmetic on Date for random dates (1900–2100)', () => {
    // Prepare: an independent oracle using Date's calendar fields and a seeded generator.
    let seed = 12345;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const start = day('1900-01-01');
    const span = day('2100-12-31') - start;
    for (let i = 0; i < 2000; i += 1) {
      const a = start + Math.floor(random() * span);
      const b = start + Math.floor(random() * span);
      const [born, on] = a <= b ? [a, b] : [b, a];
      const bd = new Date(born * 86_400_000);
      const od = new Date(on * 86_400_000);
      const before =
        od.getUTCMonth() < bd.getUTCMonth() ||
        (od.getUTCMonth() === bd.getUTCMonth() && od.getUTCDate() < bd.getUTCDate());
      const expected = od.getUTCFullYear() - bd.getUTCFullYear() - (before ? 1 : 0);
      // Act / Assess
      expect(ageInYears(born, on)).toBe(expected);
    }
  });

  it.each([
    [day('1990-01-01'), day('2026-01-01'), '0-39'], // 36
    [day('1986-01-01'), day('2026-01-01'), '40-49'], // 40
    [day('1946-01-02'), day('2026-01-01'), '70-79'], // 79
    [day('1920-01-01'), day('2026-01-01'), '80+'], // 106
    [null, day('2026-01-01'), 'unknown'],
    [day('2026-01-02'), day('2026-01-01'), 'unknown'], // born after referral: not usable
  ])('band of born %s referred %s is %s', (born, on, band) => {
    expect(ageBandLabel(born, on)).toBe(band);
  });
});

describe('31-day modality group', () => {
  // Domain brief §1.5 (NCL-Snowpark): anti-cancer drug 02, 03, 14, 15; surgery 01, 23, 24;
  // radiotherapy 04, 05, 06, 13; every other recorded modality is Other.
  it.each([
    ['02', 'Anti-cancer drug regimen'],
    ['03', 'Anti-cancer drug regimen'],
    ['14', 'Anti-cancer drug regimen'],
    ['15', 'Anti-cancer drug regimen'],
    ['01', 'Surgery'],
    ['1', 'Surgery'],
    ['23', 'Surgery'],
    ['24', 'Surgery'],
    ['04', 'Radiotherapy'],
    ['05', 'Radiotherapy'],
    ['06', 'Radiotherapy'],
    ['13', 'Radiotherapy'],
    ['07', 'Other'],
    ['12', 'Other'],
    ['16', 'Other'],
    ['22', 'Other'],
    ['97', 'Other'],
    [null, NOT_KNOWN],
    ['  ', NOT_KNOWN],
  ])('modality %j → %s', (code, group) => {
    // Act / Assess
    expect(modalityGroupLabel(code)).toBe(group);
  });
});

describe('national publication labels (domain brief §1.5)', () => {
  it('uses only treated cancer types from the published list', () => {
    // Prepare: the treated types listed in domain brief §1.5, verbatim.
    const published = new Set([
      'Breast',
      'Lung',
      'Lower Gastrointestinal',
      'Upper GI – Oesophagus & Stomach',
      'Upper GI – Hepatobiliary',
      'Gynaecological',
      'Head & Neck',
      'Skin',
      'Haematological – Lymphoma',
      'Haematological – Other',
      'Urological – Prostate',
      'Urological – Other',
      'Testicular',
      'Acute leukaemia',
      'Brain/CNS',
      "Children's",
      'Sarcoma',
      'Other',
    ]);

    // Act
    const used = [
      ...DEFAULT_LABELS.treatedCancerTypes.map((rule) => rule.label),
      DEFAULT_LABELS.otherTreatedCancerType,
    ];

    // Assess
    expect(used.filter((label) => !published.has(label))).toEqual([]);
  });
});
