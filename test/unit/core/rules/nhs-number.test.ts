import { describe, expect, it } from 'vitest';
import {
  checkNhsNumber,
  isValidNhsNumber,
  nhsCheckDigit,
  normaliseNhsNumber,
} from '../../../../lambdas/core/nhs-number';

describe('NHS number', () => {
  it.each([
    // 3×10 + 9×9 + 1×8 + 4×7 + 1×6 + 7×5 + 7×4 + 7×3 + 6×2 = 249; 249 mod 11 = 7; 11 − 7 = 4.
    ['3914177764', 4],
    // 1×10 + 1×9 + 1×8 + 5×7 + 2×6 + 4×5 + 4×4 + 9×3 + 3×2 = 143; 143 mod 11 = 0; 11 → 0.
    ['1115244930', 0],
    // 1×10 + 7×9 + 4×8 + 8×7 + 3×6 + 3×5 + 7×4 + 8×3 + 8×2 = 262; 262 mod 11 = 9; 11 − 9 = 2.
    ['1748337882', 2],
  ])('accepts %s (check digit %i worked by hand)', (number, check) => {
    // Act / Assess
    expect(nhsCheckDigit(number)).toBe(check);
    expect(checkNhsNumber(number)).toEqual({ ok: true, value: number });
  });

  it('rejects a number whose check value is 10', () => {
    // Prepare: 1×10 + 2×9 + … + 9×2 = 210; 210 mod 11 = 1; 11 − 1 = 10 → no valid check digit.
    // Act / Assess
    expect(nhsCheckDigit('1234567890')).toBeNull();
    expect(checkNhsNumber('1234567890')).toEqual({ ok: false, reason: 'checksum' });
  });

  it('rejects a wrong check digit', () => {
    // Assess: 391417776 needs 4 (see above).
    expect(checkNhsNumber('3914177765')).toEqual({ ok: false, reason: 'checksum' });
  });

  it('accepts spaces and hyphens, and only those', () => {
    // Assess
    expect(checkNhsNumber('391 417 7764')).toEqual({ ok: true, value: '3914177764' });
    expect(checkNhsNumber('391-417-7764')).toEqual({ ok: true, value: '3914177764' });
    expect(normaliseNhsNumber(' 391 417 7764 ')).toBe('3914177764');
    expect(checkNhsNumber('3914177764.0')).toEqual({ ok: false, reason: 'format' });
    expect(checkNhsNumber('39141777A4')).toEqual({ ok: false, reason: 'format' });
    expect(checkNhsNumber('391417776')).toEqual({ ok: false, reason: 'format' });
    expect(checkNhsNumber('39141777641')).toEqual({ ok: false, reason: 'format' });
    expect(checkNhsNumber('')).toEqual({ ok: false, reason: 'format' });
  });

  it('rejects one repeated digit unless the convention is switched off', () => {
    // Prepare: 4444444444 passes Modulus 11: 4 × (10 + … + 2) = 4 × 54 = 216; 216 mod 11 = 7;
    // 11 − 7 = 4 = last digit.
    expect(nhsCheckDigit('4444444444')).toBe(4);

    // Act / Assess
    expect(checkNhsNumber('4444444444')).toEqual({ ok: false, reason: 'repeated' });
    expect(isValidNhsNumber('4444444444', { rejectRepeatedDigits: false })).toBe(true);
    expect(isValidNhsNumber('4444444444')).toBe(false);
  });
});
