import { z } from 'zod';
import { ConfigError } from './errors';

/**
 * The value sets a CWT upload is checked against (domain brief §2, §7). They are data, not code:
 * several lists are UNVERIFIED against the NHS Data Dictionary, so an alliance can override any
 * of them in configuration without a release. Values are normalised the same way as cells, so an
 * override may say `1` or `01`.
 */

/** Trims, upper-cases and brings a code to its data-dictionary width (`1` → `01`, `03` → `3`). */
export function normaliseCode(raw: string, width: 1 | 2): string {
  const value = raw.trim().toUpperCase();
  if (width === 2 && value.length === 1) return `0${value}`;
  if (width === 1 && value.length === 2 && value.charCodeAt(0) === 48) return value.slice(1);
  return value;
}

/**
 * ETHNIC CATEGORY is an2: the national code is the first character and an optional second
 * character is a local sub-code, so `A1` → `A`. `99` (not known) is the one two-character code.
 */
export function normaliseEthnicCategory(raw: string): string {
  const value = raw.trim().toUpperCase();
  if (value.length === 2 && value !== '99') return value.slice(0, 1);
  return value;
}

function twoDigitRange(from: number, to: number): string[] {
  const codes: string[] = [];
  for (let code = from; code <= to; code += 1) codes.push(code < 10 ? `0${code}` : `${code}`);
  return codes;
}

function codeSet(width: 1 | 2, defaults: readonly string[]) {
  return z
    .array(z.string().trim().min(1))
    .default([...defaults])
    .transform(
      (values): ReadonlySet<string> => new Set(values.map((v) => normaliseCode(v, width))),
    );
}

export const CodeSetsSchema = z.object({
  /** PRIORITY TYPE: 1 routine, 2 urgent, 3 two week wait / urgent suspected cancer. */
  priorityType: codeSet(1, ['1', '2', '3']),
  /** SOURCE OF REFERRAL FOR OUT-PATIENTS (§2.1); 17 = national screening programme. */
  sourceOfReferral: codeSet(2, [
    ...twoDigitRange(1, 7),
    ...twoDigitRange(10, 17),
    '92',
    '93',
    '97',
  ]),
  /** Suspected cancer / symptomatic breast referral type (§2.1a); 16 = breast symptomatic. */
  cancerReferralType: codeSet(2, twoDigitRange(1, 17)),
  /** CANCER FASTER DIAGNOSIS PATHWAY END REASON (§2.2). */
  fdsEndReason: codeSet(2, twoDigitRange(1, 4)),
  /** CANCER TREATMENT EVENT TYPE (§2.3). */
  treatmentEventType: codeSet(2, twoDigitRange(1, 12)),
  /** CANCER TREATMENT MODALITY (§2.3), retired codes included so older records still load. */
  treatmentModality: codeSet(2, [...twoDigitRange(1, 24), '97', '98']),
  /** CANCER OR SYMPTOMATIC BREAST REFERRAL PATIENT STATUS (§2.5): 03 and 07–36. */
  patientStatus: codeSet(2, ['03', ...twoDigitRange(7, 36)]),
  /** PERSON STATED GENDER CODE (§7). */
  personStatedGender: codeSet(1, ['1', '2', '9', 'X']),
  /** ETHNIC CATEGORY national codes (§7): A–H, J–N, P, R, S, Z (not stated), 99 (not known). */
  ethnicCategory: z
    .array(z.string().trim().min(1))
    .default([...'ABCDEFGHJKLMNPRSZ'.split(''), '99'])
    .transform(
      (values): ReadonlySet<string> => new Set(values.map((v) => normaliseEthnicCategory(v))),
    ),
});

/** Normalised value sets, ready for membership tests. */
export type CodeSets = z.output<typeof CodeSetsSchema>;
/** Configuration form: lists of codes; any set left out keeps its default. */
export type CodeSetsInput = z.input<typeof CodeSetsSchema>;

export const DEFAULT_CODE_SETS: CodeSets = CodeSetsSchema.parse({});

/** Builds code sets from configuration; throws ConfigError naming the first bad entry. */
export function codeSetsFrom(input: unknown): CodeSets {
  const parsed = CodeSetsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(code sets)';
    throw new ConfigError(`Invalid code set configuration at ${where}: ${issue?.message}`);
  }
  return parsed.data;
}
