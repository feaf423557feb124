import { describe, expect, it } from 'vitest';
import { codeSetsFrom } from '../../../../lambdas/core/codes';
import { CANONICAL_COLUMNS, type ColumnName } from '../../../../lambdas/core/record';
import {
  type ColumnIndex,
  ERROR_CATALOGUE,
  hintFor,
  isValidPostcode,
  normaliseIcd10,
  normalisePostcode,
  type RowResult,
  reportableValue,
  type ValidationContext,
  validateRow,
} from '../../../../lambdas/core/validate';

const MS_PER_DAY = 86_400_000;
const day = (year: number, month: number, date: number) =>
  Date.UTC(year, month - 1, date) / MS_PER_DAY;
const CONTEXT: ValidationContext = { submittingTrust: 'R1H', period: '2025-06' };

/** Every canonical column, in contract order. */
const ALL_COLUMNS: ColumnIndex = Object.fromEntries(
  CANONICAL_COLUMNS.map((name, index) => [name, index]),
);

function cells(values: Partial<Record<ColumnName, string>>): string[] {
  return CANONICAL_COLUMNS.map((name) => values[name] ?? '');
}

const MINIMAL: Partial<Record<ColumnName, string>> = {
  pathway_id: 'P1',
  nhs_number: '3914177764',
  priority_type: '3',
  referral_received_date: '2025-05-01',
};

function validate(values: Partial<Record<ColumnName, string>>, ctx = CONTEXT): RowResult {
  return validateRow(cells({ ...MINIMAL, ...values }), ALL_COLUMNS, 2, ctx);
}

function codes(result: RowResult): { errors: string[]; warnings: string[] } {
  return {
    errors: result.ok ? [] : result.errors.map((issue) => `${issue.code}@${issue.field}`),
    warnings: result.warnings.map((issue) => `${issue.code}@${issue.field}`),
  };
}

describe('validateRow: a complete record', () => {
  it('normalises every field into a PathwayRecord', () => {
    // Prepare
    const row = cells({
      pathway_id: ' RF4-2025-0001 ',
      nhs_number: '391 417 7764',
      date_of_birth: '12/04/1961',
      person_stated_gender_code: 'x',
      ethnic_category: 'a1',
      postcode: ' e1  1bb ',
      lsoa_code: 'e01000001',
      priority_type: '03',
      source_of_referral: '3',
      cancer_referral_type: '2',
      referral_received_date: '2025-03-01',
      consultant_upgrade_date: '',
      org_first_seen: 'rf4qh',
      date_first_seen: '2025-03-10',
      first_seen_adjustment_days: '2',
      fds_end_date: '2025-03-25',
      fds_end_reason: '1',
      fds_exclusion_reason: '',
      org_fds_end: 'RF4QH',
      accountable_investigating_provider: 'RF4',
      transfer_to_treatment_date: '2025-04-01',
      primary_diagnosis_icd10: 'c341',
      decision_to_treat_date: '2025-04-05',
      treatment_start_date: '2025-04-20',
      treatment_event_type: '1',
      treatment_modality: '23',
      org_treatment_start: 'R1HKH',
      treatment_adjustment_days: '',
      treatment_adjustment_reason: ' 2 ',
      patient_status: '8',
    });

    // Act
    const result = validateRow(row, ALL_COLUMNS, 7, CONTEXT);

    // Assess
    expect(result).toEqual({
      ok: true,
      warnings: [],
      record: {
        row: 7,
        pathwayId: 'RF4-2025-0001',
        nhsNumber: '3914177764',
        dateOfBirth: day(1961, 4, 12),
        sex: 'X',
        ethnicity: 'A',
        postcode: 'E1 1BB',
        lsoaCode: 'E01000001',
        priorityType: '3',
        sourceOfReferral: '03',
        cancerReferralType: '02',
        referralReceived: day(2025, 3, 1),
        consultantUpgrade: null,
        orgFirstSeen: 'RF4QH',
        dateFirstSeen: day(2025, 3, 10),
        firstSeenAdjustment: 2,
        fdsEnd: day(2025, 3, 25),
        fdsEndReason: '01',
        fdsExclusionReason: null,
        orgFdsEnd: 'RF4QH',
        accountableInvestigatingProvider: 'RF4',
        transferToTreatment: day(2025, 4, 1),
        primaryDiagnosis: 'C34.1',
        decisionToTreat: day(2025, 4, 5),
        treatmentStart: day(2025, 4, 20),
        treatmentEventType: '01',
        treatmentModality: '23',
        orgTreatmentStart: 'R1HKH',
        treatmentAdjustment: 0,
        treatmentAdjustmentReason: '2',
        patientStatus: '08',
      },
    });
  });

  it('treats columns left out of the header as not recorded', () => {
    // Prepare: only the four required columns, in another order.
    const columns: ColumnIndex = {
      referral_received_date: 0,
      pathway_id: 1,
      priority_type: 2,
      nhs_number: 3,
    };

    // Act
    const result = validateRow(['2025-05-01', 'P9', '3', '1115244930'], columns, 2, CONTEXT);

    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.record.fdsEnd).toBeNull();
    expect(result.record.firstSeenAdjustment).toBe(0);
    expect(result.record.sourceOfReferral).toBeNull();
  });

  it('reports a required column missing from the header', () => {
    // Act
    const result = validateRow(
      ['P1', '3914177764', '3'],
      { pathway_id: 0, nhs_number: 1, priority_type: 2 },
      2,
      CONTEXT,
    );

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        row: 2,
        pathwayId: 'P1',
        code: 'REQUIRED_MISSING',
        field: 'referral_received_date',
        message: 'referral_received_date is required but the column is missing.',
        // nothing to show: the column is not in the file
        value: null,
      },
    ]);
  });
});

describe('validateRow: rules outside the golden files', () => {
  it('accepts a date on the last day of the upload period and rejects the next', () => {
    // Assess: period 2025-06 ends on 30 June.
    expect(validate({ fds_end_date: '2025-06-30', fds_end_reason: '02' }).ok).toBe(true);
    expect(codes(validate({ date_of_birth: '2025-07-01' })).errors).toEqual([
      'DATE_IN_FUTURE@date_of_birth',
    ]);
  });

  it('rejects a date of birth after the referral', () => {
    // Assess
    expect(codes(validate({ date_of_birth: '2025-05-02' })).errors).toEqual([
      'DATE_ORDER@date_of_birth',
    ]);
  });

  it('rejects treatment before the consultant upgrade', () => {
    // Assess
    expect(
      codes(validate({ consultant_upgrade_date: '2025-05-20', treatment_start_date: '2025-05-10' }))
        .errors,
    ).toEqual(['DATE_ORDER@treatment_start_date']);
  });

  it('warns about a transfer date outside referral…treatment', () => {
    // Assess
    expect(
      codes(
        validate({ transfer_to_treatment_date: '2025-06-10', treatment_start_date: '2025-06-01' }),
      ).warnings,
    ).toEqual(['TRANSFER_DATE_ORDER@transfer_to_treatment_date']);
  });

  it('keeps bad demographic codes as not known, with a warning', () => {
    // Act
    const result = validate({ person_stated_gender_code: '3', ethnic_category: 'I' });

    // Assess
    expect(codes(result).warnings).toEqual([
      'DEMOGRAPHIC_CODE_INVALID@person_stated_gender_code',
      'DEMOGRAPHIC_CODE_INVALID@ethnic_category',
    ]);
    expect(result.ok && result.record.sex).toBeNull();
    expect(result.ok && result.record.ethnicity).toBeNull();
  });

  it('drops an invalid LSOA code with a warning', () => {
    // Act
    const result = validate({ lsoa_code: 'W01000001' });

    // Assess
    expect(codes(result).warnings).toEqual(['LSOA_INVALID@lsoa_code']);
    expect(result.ok && result.record.lsoaCode).toBeNull();
  });

  it('accepts placeholder NHS numbers when the convention is switched off', () => {
    // Assess: 4444444444 passes Modulus 11 (4 × 54 = 216; 216 mod 11 = 7; 11 − 7 = 4).
    expect(validate({ nhs_number: '4444444444' }).ok).toBe(false);
    expect(
      validate({ nhs_number: '4444444444' }, { ...CONTEXT, rejectRepeatedDigitNhsNumbers: false })
        .ok,
    ).toBe(true);
  });

  it('checks codes against configured code sets', () => {
    // Prepare: an alliance that only accepts GP referrals (03).
    const ctx = { ...CONTEXT, codeSets: codeSetsFrom({ sourceOfReferral: ['03'] }) };

    // Act / Assess
    expect(validate({ source_of_referral: '3' }, ctx).ok).toBe(true);
    expect(codes(validate({ source_of_referral: '01' }, ctx)).errors).toEqual([
      'CODE_INVALID@source_of_referral',
    ]);
  });

  it('reports every problem of a row, not just the first', () => {
    // Act
    const result = validate({
      nhs_number: '1234567890',
      priority_type: '7',
      fds_end_date: '2025-02-30',
      org_treatment_start: 'R1H-1',
    });

    // Assess
    expect(codes(result).errors).toEqual([
      'NHS_NUMBER_INVALID@nhs_number',
      'CODE_INVALID@priority_type',
      'DATE_INVALID@fds_end_date',
      'ORG_CODE_INVALID@org_treatment_start',
    ]);
  });
});

describe('validateRow: messages never echo identifiers', () => {
  it('names fields without their values, even when columns are shifted', () => {
    // Prepare: identifiers pasted into the wrong columns, so every check fails on them.
    const nhs = '3914177765';
    const postcode = 'QQ9 9QQ';
    const dob = '31/02/1961';
    const result = validate({
      nhs_number: nhs,
      postcode,
      date_of_birth: dob,
      priority_type: nhs,
      source_of_referral: postcode,
      fds_end_date: dob,
      org_fds_end: postcode,
      primary_diagnosis_icd10: nhs,
      lsoa_code: postcode,
      first_seen_adjustment_days: dob,
      ethnic_category: nhs,
    });

    // Act
    const messages = [...(result.ok ? [] : result.errors), ...result.warnings].map(
      (issue) => issue.message,
    );

    // Assess
    expect(messages.length).toBeGreaterThanOrEqual(10);
    for (const message of messages) {
      expect(message).not.toContain(nhs);
      expect(message).not.toContain('QQ9');
      expect(message).not.toContain('1961');
    }
  });
});

describe('postcodes', () => {
  it.each([
    ['e11bb', 'E1 1BB'],
    [' EC1A  1BB ', 'EC1A 1BB'],
    ['m11ae', 'M1 1AE'],
  ])('normalises %j to %j', (raw, normalised) => {
    // Assess
    expect(normalisePostcode(raw)).toBe(normalised);
  });

  it.each([
    'EC1A 1BB',
    'W1A 0AX',
    'M1 1AE',
    'B33 8TH',
    'CR2 6XH',
    'DN55 1PT',
    'E1A 1AA',
    'GIR 0AA',
  ])('accepts %s', (postcode) => {
    // Assess
    expect(isValidPostcode(postcode)).toBe(true);
  });

  it.each([
    ['QA1 1AA', 'Q cannot be first'],
    ['AI1 1AA', 'I cannot be second'],
    ['E1I 1AA', 'I cannot be third in ANA'],
    ['EC1C 1AA', 'C cannot be fourth in AANA'],
    ['E1 1CA', 'C is not an inward letter'],
    ['ZZ99 3VZ', 'pseudo-postcode (Z cannot be second)'],
    ['E1 1B', 'inward code too short'],
  ])('rejects %s (%s)', (postcode) => {
    // Assess
    expect(isValidPostcode(postcode)).toBe(false);
  });
});

describe('ICD-10', () => {
  it.each([
    ['C34.1', 'C34.1'],
    ['c341', 'C34.1'],
    ['C34', 'C34'],
    ['D05', 'D05'],
    ['C61X', 'C61'],
    ['C61-', 'C61'],
    [' C50.91 ', 'C50.91'],
  ])('normalises %j to %j', (raw, normalised) => {
    // Assess
    expect(normaliseIcd10(raw)).toBe(normalised);
  });

  it.each(['C3', 'C34.', 'C34.123', '34.1', 'CC4.1', 'lung', 'C34.X'])('rejects %j', (raw) => {
    // Assess
    expect(normaliseIcd10(raw)).toBeNull();
  });
});

describe('ERROR_CATALOGUE', () => {
  it('lists each code once with a one-line hint', () => {
    // Prepare
    const seen = new Set<string>();

    // Assess
    for (const entry of ERROR_CATALOGUE) {
      expect(seen.has(entry.code)).toBe(false);
      seen.add(entry.code);
      expect(entry.hint.length).toBeGreaterThan(10);
      expect(entry.hint).not.toContain('\n');
      expect(hintFor(entry.code)).toBe(entry.hint);
    }
  });

  it('covers every code validateRow produced in this file', () => {
    // Prepare: codes asserted above.
    const used = [
      'REQUIRED_MISSING',
      'NHS_NUMBER_INVALID',
      'DATE_INVALID',
      'DATE_IN_FUTURE',
      'DATE_ORDER',
      'CODE_INVALID',
      'ADJUSTMENT_INVALID',
      'ORG_CODE_INVALID',
      'ICD10_INVALID',
      'POSTCODE_INVALID',
      'LSOA_INVALID',
      'DEMOGRAPHIC_CODE_INVALID',
      'TRANSFER_DATE_ORDER',
    ];

    // Assess
    expect(ERROR_CATALOGUE.map((entry) => entry.code)).toEqual(expect.arrayContaining(used));
  });

  it('gives a generic hint for codes it does not know', () => {
    // Assess
    expect(hintFor('SOMETHING_ELSE')).toMatch(/upload/);
  });
});

describe('report values', () => {
  it('shows a bad code as written but never an identifier', () => {
    // Prepare: a wrong priority type (not an identifier) and a failing NHS number (identifier)
    const row = cells({ ...MINIMAL, priority_type: 'Z', nhs_number: '1234567890' });

    // Act
    const result = validateRow(row, ALL_COLUMNS, 2, CONTEXT);

    // Assess: the code is echoed, the NHS number is not
    if (result.ok) throw new Error('expected errors');
    const byField = new Map(result.errors.map((e) => [e.field, e.value]));
    expect(byField.get('priority_type')).toBe('Z');
    expect(byField.get('nhs_number')).toBeNull();
  });

  it('hides values shaped like an NHS number or a postcode in any field', () => {
    // Assess: a shifted column can put an identifier into pathway_id or a code field
    expect(reportableValue('pathway_id', '943 476 5919')).toBeNull();
    expect(reportableValue('source_of_referral', 'e1 1bb')).toBeNull();
    expect(reportableValue('postcode', 'NOT A POSTCODE')).toBeNull();
    expect(reportableValue('date_of_birth', '31/02/1950')).toBeNull();
    expect(reportableValue('priority_type', '7')).toBe('7');
    // held inside a longer value: a pathway id built from an NHS number or a postcode
    expect(reportableValue('pathway_id', 'RF4-9434765919')).toBeNull();
    expect(reportableValue('pathway_id', '9434765919-1')).toBeNull();
    expect(reportableValue('pathway_id', '943 476 5919/2')).toBeNull();
    expect(reportableValue('pathway_id', 'E1 6AN-01')).toBeNull();
    // ten digits inside a value that fail Modulus 11 are an ordinary reference, still quoted
    expect(reportableValue('pathway_id', 'P-1234567890')).toBe('P-1234567890');
    expect(reportableValue('pathway_id', 'RF4-2025-06-0000123')).toBe('RF4-2025-06-0000123');
    // 41 characters: cut to 40 and an ellipsis
    expect(reportableValue('treatment_modality', 'x'.repeat(41))).toBe(`${'x'.repeat(40)}…`);
  });
});
