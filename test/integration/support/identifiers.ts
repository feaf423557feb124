/**
 * Finds patient identifiers (NHS numbers, postcodes, dates of birth) in text: the exact values
 * taken from the files a test uploaded, in every form they are commonly written, and anything
 * shaped like one (a Modulus 11-valid 10-digit number, a UK postcode). Written independently of
 * lambdas/core so a bug there cannot hide a leak here.
 */

/** The identifiers a test put into its uploads. */
export interface KnownIdentifiers {
  readonly nhsNumbers: ReadonlySet<string>;
  readonly postcodes: ReadonlySet<string>;
  readonly datesOfBirth: ReadonlySet<string>;
}

export interface Finding {
  readonly kind: 'nhs-number' | 'postcode' | 'date-of-birth';
  /** `exact`: a value from the uploads (in any of its forms); `pattern`: shaped like one. */
  readonly match: 'exact' | 'pattern';
  /** The text as found. */
  readonly value: string;
  /** Up to 60 characters either side, to find where it came from. */
  readonly context: string;
}

/** One CSV line split on commas, honouring double quotes (enough for the test files). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      out.push(cell);
      cell = '';
    } else cell += char;
  }
  out.push(cell);
  return out;
}

const NHS_SHAPED = /^\d{3}[ -]?\d{3}[ -]?\d{4}$/;
const POSTCODE_SHAPED = /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i;

/**
 * The identifiers of CSV files: every value of the nhs_number, postcode and date_of_birth
 * columns, and any cell of any column shaped like an NHS number or a postcode (a shifted column
 * puts them anywhere).
 */
export function identifiersInCsv(...files: readonly string[]): KnownIdentifiers {
  const nhsNumbers = new Set<string>();
  const postcodes = new Set<string>();
  const datesOfBirth = new Set<string>();
  for (const file of files) {
    const [header = '', ...rows] = file.replace(/^\uFEFF/, '').split(/\r?\n/);
    const names = cells(header).map((name) => name.trim().toLowerCase());
    for (const row of rows.filter((line) => line.trim() !== '')) {
      cells(row).forEach((raw, i) => {
        const value = raw.trim();
        if (value === '') return;
        const column = names[i];
        if (column === 'nhs_number' || NHS_SHAPED.test(value)) {
          if (/\d{6,}/.test(value.replace(/[ -]/g, ''))) nhsNumbers.add(value.replace(/\D/g, ''));
        }
        if (column === 'postcode' || POSTCODE_SHAPED.test(value)) {
          postcodes.add(value.toUpperCase());
        }
        if (column === 'date_of_birth') datesOfBirth.add(value);
      });
    }
  }
  return { nhsNumbers, postcodes, datesOfBirth };
}

/** 10 digits whose last is the Modulus 11 check digit of the first nine, not one digit ×10. */
export function isModulus11Valid(digits: string): boolean {
  if (!/^\d{10}$/.test(digits) || /^(\d)\1{9}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(digits[i]) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return check !== 10 && check === Number(digits[9]);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The ways a value is commonly written: an NHS number grouped 3-3-4, a postcode unspaced… */
function nhsForms(digits: string): string[] {
  const grouped = `${digits.slice(0, 3)}{SEP}${digits.slice(3, 6)}{SEP}${digits.slice(6)}`;
  return [digits, grouped.replaceAll('{SEP}', ' '), grouped.replaceAll('{SEP}', '-')];
}

function postcodeForms(postcode: string): string[] {
  const compact = postcode.replace(/\s+/g, '');
  const spaced = `${compact.slice(0, -3)} ${compact.slice(-3)}`;
  return [...new Set([postcode, compact, spaced])];
}

/** A date of birth as written, and as YYYY-MM-DD, DD/MM/YYYY and YYYYMMDD. */
function dateForms(date: string): string[] {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const dmy = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(date);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : dmy ? [dmy[3], dmy[2], dmy[1]] : [];
  if (!y) return [date];
  return [...new Set([date, `${y}-${m}-${d}`, `${d}/${m}/${y}`, `${y}${m}${d}`])];
}

/**
 * Ten-digit numbers that are times, not people: epoch seconds within ten years of now (DynamoDB
 * TTLs, token times). A real NHS number in England and Wales starts with 4–7, or 9 in test
 * data, so none is lost from the fixtures here; this only stops the pattern check flagging
 * clocks one time in eleven.
 */
function isPlausibleEpochSeconds(digits: string): boolean {
  const now = Date.now() / 1000;
  const value = Number(digits);
  return Math.abs(value - now) < 10 * 365 * 86_400;
}

function contextOf(text: string, index: number, length: number): string {
  return text.slice(Math.max(0, index - 60), index + length + 60).replace(/\s+/g, ' ');
}

/**
 * Every identifier found in `text`; empty when it is clean. `ignore` lists fixed texts the
 * platform writes itself (e.g. a fix hint quoting an example postcode): they are blanked out
 * first, so only what came from a file can match.
 */
export function scanForIdentifiers(
  input: string,
  known: KnownIdentifiers,
  ignore: readonly string[] = [],
): Finding[] {
  const text = ignore.reduce(
    (rest, constant) =>
      constant === '' ? rest : rest.replaceAll(constant, ' '.repeat(constant.length)),
    input,
  );
  const findings: Finding[] = [];
  const add = (
    kind: Finding['kind'],
    match: Finding['match'],
    value: string,
    index: number,
    length: number,
  ) => findings.push({ kind, match, value, context: contextOf(text, index, length) });

  const exact = (kind: Finding['kind'], forms: string[], boundary: string, flags = 'g') => {
    for (const form of forms) {
      const pattern = new RegExp(`(?<!${boundary})${escapeRegExp(form)}(?!${boundary})`, flags);
      for (const hit of text.matchAll(pattern))
        add(kind, 'exact', hit[0], hit.index, hit[0].length);
    }
  };
  for (const digits of known.nhsNumbers) exact('nhs-number', nhsForms(digits), '\\d');
  for (const postcode of known.postcodes) {
    exact('postcode', postcodeForms(postcode), '[A-Za-z0-9]', 'gi');
  }
  for (const date of known.datesOfBirth) exact('date-of-birth', dateForms(date), '\\d');

  // Shaped like an NHS number: not inside a longer number or a decimal fraction.
  for (const hit of text.matchAll(/(?<![\d.])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d])/g)) {
    const digits = hit[0].replace(/\D/g, '');
    if (isModulus11Valid(digits) && !isPlausibleEpochSeconds(digits)) {
      add('nhs-number', 'pattern', hit[0], hit.index, hit[0].length);
    }
  }
  // Shaped like a UK postcode (area letters as Royal Mail issues them), upper case as written.
  const postcode =
    /(?<![A-Za-z0-9])[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])/g;
  for (const hit of text.matchAll(postcode)) {
    add('postcode', 'pattern', hit[0], hit.index, hit[0].length);
  }
  return findings;
}
