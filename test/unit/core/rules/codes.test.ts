import { describe, expect, it } from 'vitest';
import {
  codeSetsFrom,
  DEFAULT_CODE_SETS,
  normaliseCode,
  normaliseEthnicCategory,
} from '../../../../lambdas/core/codes';
import { ConfigError } from '../../../../lambdas/core/errors';

describe('code normalisation', () => {
  it('pads one-character values of two-character codes and trims', () => {
    // Assess
    expect(normaliseCode('1', 2)).toBe('01');
    expect(normaliseCode(' 7 ', 2)).toBe('07');
    expect(normaliseCode('16', 2)).toBe('16');
  });

  it('drops a leading zero of one-character codes and upper-cases', () => {
    // Assess
    expect(normaliseCode('03', 1)).toBe('3');
    expect(normaliseCode('x', 1)).toBe('X');
    expect(normaliseCode('3', 1)).toBe('3');
  });

  it('keeps the national ethnic category and drops a local second character', () => {
    // Assess
    expect(normaliseEthnicCategory('a1')).toBe('A');
    expect(normaliseEthnicCategory('H')).toBe('H');
    expect(normaliseEthnicCategory('99')).toBe('99');
    expect(normaliseEthnicCategory(' z ')).toBe('Z');
  });
});

describe('default code sets', () => {
  it('hold the domain brief value sets', () => {
    // Prepare: lists transcribed from domain brief §2.1, §2.2, §2.3, §2.5 and §7.
    const sourceOfReferral = [
      '01',
      '02',
      '03',
      '04',
      '05',
      '06',
      '07',
      '10',
      '11',
      '12',
      '13',
      '14',
      '15',
      '16',
      '17',
      '92',
      '93',
      '97',
    ];

    // Assess
    expect([...DEFAULT_CODE_SETS.priorityType]).toEqual(['1', '2', '3']);
    expect([...DEFAULT_CODE_SETS.sourceOfReferral].sort()).toEqual(sourceOfReferral);
    expect(DEFAULT_CODE_SETS.cancerReferralType.size).toBe(17);
    expect([...DEFAULT_CODE_SETS.fdsEndReason]).toEqual(['01', '02', '03', '04']);
    expect(DEFAULT_CODE_SETS.treatmentEventType.size).toBe(12);
    // 01–24 plus 97 and 98.
    expect(DEFAULT_CODE_SETS.treatmentModality.size).toBe(26);
    expect(DEFAULT_CODE_SETS.treatmentModality.has('98')).toBe(true);
    expect(DEFAULT_CODE_SETS.treatmentModality.has('99')).toBe(false);
    // 03 and 07–36: 1 + 30.
    expect(DEFAULT_CODE_SETS.patientStatus.size).toBe(31);
    expect(DEFAULT_CODE_SETS.patientStatus.has('03')).toBe(true);
    expect(DEFAULT_CODE_SETS.patientStatus.has('04')).toBe(false);
    expect([...DEFAULT_CODE_SETS.personStatedGender]).toEqual(['1', '2', '9', 'X']);
    // A–H (8), J–N (5), P, R, S, Z and 99.
    expect(DEFAULT_CODE_SETS.ethnicCategory.size).toBe(18);
    expect(DEFAULT_CODE_SETS.ethnicCategory.has('I')).toBe(false);
  });
});

describe('codeSetsFrom', () => {
  it('overrides one set, normalising its values, and keeps the others', () => {
    // Act
    const sets = codeSetsFrom({ sourceOfReferral: ['3', '17'] });

    // Assess
    expect([...sets.sourceOfReferral]).toEqual(['03', '17']);
    expect(sets.priorityType).toEqual(DEFAULT_CODE_SETS.priorityType);
  });

  it('throws ConfigError on a malformed override', () => {
    // Assess
    expect(() => codeSetsFrom({ priorityType: 'three' })).toThrow(ConfigError);
    expect(() => codeSetsFrom({ priorityType: [''] })).toThrow(/priorityType/);
  });
});
