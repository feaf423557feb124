/**
 * NHS number checks (domain brief §7): 10 digits whose last digit is the Modulus 11 check digit
 * of the first nine (weights 10…2; a check value of 11 becomes 0, 10 can never be valid).
 */

export interface NhsNumberOptions {
  /**
   * Reject numbers made of one repeated digit (e.g. 4444444444, which passes Modulus 11): they
   * are placeholders, not patients. A local convention, hence the switch.
   * @default true
   */
  readonly rejectRepeatedDigits?: boolean;
}

export type NhsNumberCheck =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: 'format' | 'checksum' | 'repeated' };

const FORMAT: NhsNumberCheck = { ok: false, reason: 'format' };
const CHECKSUM: NhsNumberCheck = { ok: false, reason: 'checksum' };
const REPEATED: NhsNumberCheck = { ok: false, reason: 'repeated' };

const ZERO = 48;
const SPACE = 32;
const HYPHEN = 45;

/** The 10 digits of an NHS number written with optional spaces or hyphens, or null. */
export function normaliseNhsNumber(text: string): string | null {
  let digits = '';
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= ZERO && code <= ZERO + 9) digits += text[i];
    else if (code !== SPACE && code !== HYPHEN) return null;
  }
  return digits.length === 10 ? digits : null;
}

/** The Modulus 11 check digit of the first nine digits, or null when it would be 10. */
export function nhsCheckDigit(digits: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += (digits.charCodeAt(i) - ZERO) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  return check === 10 ? null : check;
}

export function checkNhsNumber(text: string, options: NhsNumberOptions = {}): NhsNumberCheck {
  const digits = normaliseNhsNumber(text);
  if (digits === null) return FORMAT;
  if (options.rejectRepeatedDigits !== false && isOneRepeatedDigit(digits)) return REPEATED;
  const check = nhsCheckDigit(digits);
  if (check === null || check !== digits.charCodeAt(9) - ZERO) return CHECKSUM;
  return { ok: true, value: digits };
}

export function isValidNhsNumber(text: string, options: NhsNumberOptions = {}): boolean {
  return checkNhsNumber(text, options).ok;
}

function isOneRepeatedDigit(digits: string): boolean {
  const first = digits.charCodeAt(0);
  for (let i = 1; i < digits.length; i += 1) if (digits.charCodeAt(i) !== first) return false;
  return true;
}
