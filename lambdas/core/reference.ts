/**
 * Reference data for enrichment: postcode → LSOA 2021, LSOA 2011 → LSOA 2021, LSOA 2021 → local
 * authority and national IMD decile/quintile. Pure: the adapter parses the files and feeds rows to
 * `ReferenceDataBuilder`; nothing here reads files.
 *
 * Memory. LSOAs get a small integer index (England has 33,755 LSOA 2021s; a UK postcode file adds
 * Welsh/Scottish/NI areas, still < 65,536). Per LSOA the data are typed arrays (decile: 1 byte,
 * local authority: 2 bytes). Postcodes, the only large table (~2.7 M rows nationally), are packed
 * into one sorted Float64Array of numeric keys plus a Uint16Array of LSOA indexes: 10 bytes a
 * postcode (~27 MB nationally) instead of ~90 bytes for a Map<string, number> entry (~240 MB).
 */

import { PlatformError } from './errors';

export type ImdEdition = '2025' | '2019';

export interface ImdGroup {
  /** National IMD decile, 1 = most deprived 10% of LSOAs in England. */
  readonly decile: number;
  /** ceil(decile / 2): 1 = most deprived 20% (Core20). */
  readonly quintile: number;
}

/** Provenance of one loaded table. */
export interface ReferenceSource {
  readonly file: string;
  readonly rows: number;
  readonly url?: string;
  readonly sha256?: string;
  readonly downloadedAt?: string;
}

export interface ReferenceData {
  readonly edition: ImdEdition;
  readonly sources: readonly ReferenceSource[];
  /** LSOA 2021 of a postcode, any spacing or case ('e11bb' → 'E1 1BB'). */
  lsoaForPostcode(postcode: string): string | undefined;
  /** Best-fit LSOA 2021 of an LSOA 2011 code. */
  lsoa21ForLsoa11(code: string): string | undefined;
  isLsoa21(code: string): boolean;
  /** National IMD of an LSOA 2021 in this edition (England only). */
  imd(lsoa21: string): ImdGroup | undefined;
  /** Local authority district (GSS code) of an LSOA 2021. */
  localAuthorityOf(lsoa21: string): string | undefined;

  // The same lookups by LSOA index (-1: none), for enrichment, which runs once per record: it
  // resolves a record's LSOA once and reads its IMD and local authority from typed arrays.
  /** Index of an LSOA 2021 code (any case, surrounding spaces ignored), or -1. */
  lsoa21Index(code: string): number;
  /** Index of the best-fit LSOA 2021 of an LSOA 2011 code, or -1. */
  lsoa21IndexForLsoa11(code: string): number;
  /** Index of the LSOA 2021 of a postcode, or -1. */
  lsoa21IndexForPostcode(postcode: string): number;
  /** The LSOA 2021 code of an index from the methods above. */
  lsoa21Code(index: number): string;
  /** National IMD decile of an LSOA index in this edition; 0 when it has none. */
  imdDecileAt(index: number): number;
  /** Local authority of an LSOA index. */
  localAuthorityAt(index: number): string | undefined;
}

export type ReferenceDataErrorCode =
  | 'REFERENCE_FILE_MISSING'
  | 'REFERENCE_COLUMN_MISSING'
  | 'REFERENCE_CAPACITY_EXCEEDED';

/** The reference files are missing or not in the expected shape: retrying cannot help. */
export class ReferenceDataError extends PlatformError {
  constructor(code: ReferenceDataErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, 500, options);
    this.name = 'ReferenceDataError';
  }
}

// Postcode keys: 7 characters (outward code right-padded to 4, inward code 3) in base 37
// (0 = padding, 1–10 digits, 11–36 letters). 37^7 < 2^37, so a key plus a 16-bit LSOA index
// fits exactly in a double's 53-bit integer range, which lets one typed-array sort order both.
const KEY_BASE = 37;
const INDEX_BITS = 16;
const INDEX_RADIX = 2 ** INDEX_BITS;
const MAX_LSOAS = INDEX_RADIX - 1;
const NO_LA = 0xffff;

function charCode37(charCode: number): number {
  if (charCode >= 48 && charCode <= 57) return charCode - 47; // '0'..'9' → 1..10
  if (charCode >= 65 && charCode <= 90) return charCode - 54; // 'A'..'Z' → 11..36
  if (charCode >= 97 && charCode <= 122) return charCode - 86; // 'a'..'z' as upper case
  return -1;
}

const scratch = new Int32Array(7);

/** Numeric key of a postcode, or -1 when it is not shaped like a UK unit postcode. */
export function postcodeKey(postcode: string): number {
  // A hand loop rather than a regex: this runs once per row of a 2.7 M-row file.
  let length = 0;
  for (let i = 0; i < postcode.length; i += 1) {
    const code = postcode.charCodeAt(i);
    if (code === 32 || code === 9) continue;
    const digit = charCode37(code);
    if (digit < 0 || length === 7) return -1;
    scratch[length] = digit;
    length += 1;
  }
  if (length < 5) return -1;
  const outwardLength = length - 3;
  let key = 0;
  for (let position = 0; position < 4; position += 1) {
    key = key * KEY_BASE + (position < outwardLength ? (scratch[position] ?? 0) : 0);
  }
  for (let position = outwardLength; position < length; position += 1) {
    key = key * KEY_BASE + (scratch[position] ?? 0);
  }
  return key;
}

/** 'e11bb' / 'E1  1BB' → 'E1 1BB' (no validation beyond length). */
export function normalisePostcode(postcode: string): string {
  const compact = postcode.replace(/\s+/g, '').toUpperCase();
  return compact.length > 3 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact;
}

/** A growable Float64Array: avoids a boxed JS array per postcode while the file is read. */
class Float64Buffer {
  private data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length] = value;
    this.length += 1;
  }
  take(): Float64Array {
    return this.data.subarray(0, this.length);
  }
  clear(): void {
    this.data = new Float64Array(0);
    this.length = 0;
  }
}

/**
 * Collects reference rows and freezes them into a compact `ReferenceData`. Add the LSOA 2021
 * list (IMD 2025 file) and the best-fit lookup before postcodes; order within a table is free.
 */
export class ReferenceDataBuilder {
  private readonly lsoaIndex = new Map<string, number>();
  private readonly lsoaCodes: string[] = [];
  private readonly lsoaLa: number[] = [];
  private readonly decile2025: number[] = [];
  private readonly laIndex = new Map<string, number>();
  private readonly laCodes: string[] = [];
  private readonly lsoa11To21 = new Map<string, number>();
  private readonly imd2019ByLsoa11 = new Map<string, number>();
  /** LSOA 2021 index → LSOA 2011 parent votes from the postcode file (IMD 2019 fallback only). */
  private readonly parentVotes = new Map<number, Map<string, number>>();
  private readonly postcodes = new Float64Buffer();
  private readonly sourceList: ReferenceSource[] = [];

  constructor(readonly edition: ImdEdition) {}

  private indexOfLa(code: string): number {
    let index = this.laIndex.get(code);
    if (index === undefined) {
      index = this.laCodes.length;
      if (index >= NO_LA) {
        throw new ReferenceDataError('REFERENCE_CAPACITY_EXCEEDED', 'Too many local authorities.');
      }
      this.laCodes.push(code);
      this.laIndex.set(code, index);
    }
    return index;
  }

  private indexOfLsoa(code: string, la: string | null | undefined): number {
    let index = this.lsoaIndex.get(code);
    if (index === undefined) {
      index = this.lsoaCodes.length;
      if (index >= MAX_LSOAS) {
        throw new ReferenceDataError(
          'REFERENCE_CAPACITY_EXCEEDED',
          `More than ${MAX_LSOAS} LSOAs: the postcode index holds a 16-bit LSOA index.`,
        );
      }
      this.lsoaCodes.push(code);
      this.lsoaLa.push(NO_LA);
      this.decile2025.push(0);
      this.lsoaIndex.set(code, index);
    }
    if (la && this.lsoaLa[index] === NO_LA) this.lsoaLa[index] = this.indexOfLa(la);
    return index;
  }

  /** An LSOA 2021 with its local authority and (IMD 2025 file) its decile. */
  addLsoa21(code: string, localAuthority: string | null, imd2025Decile?: number | null): void {
    const index = this.indexOfLsoa(code, localAuthority);
    if (imd2025Decile && imd2025Decile >= 1 && imd2025Decile <= 10) {
      this.decile2025[index] = imd2025Decile;
    }
  }

  /** IMD 2019 decile of an LSOA 2011. */
  addImd2019(lsoa11: string, decile: number): void {
    if (decile >= 1 && decile <= 10) this.imd2019ByLsoa11.set(lsoa11, decile);
  }

  /** ONS best-fit: the single LSOA 2021 an LSOA 2011 is assigned to. */
  addBestFit(lsoa11: string, lsoa21: string, localAuthority: string | null): void {
    this.lsoa11To21.set(lsoa11, this.indexOfLsoa(lsoa21, localAuthority));
  }

  /** Returns false (and skips the row) when the postcode is malformed. */
  addPostcode(
    postcode: string,
    lsoa21: string,
    localAuthority: string | null,
    lsoa11?: string | null,
  ): boolean {
    const key = postcodeKey(postcode);
    if (key < 0 || !lsoa21) return false;
    const index = this.indexOfLsoa(lsoa21, localAuthority);
    this.postcodes.push(key * INDEX_RADIX + index);
    if (lsoa11 && this.edition === '2019') {
      let votes = this.parentVotes.get(index);
      if (!votes) {
        votes = new Map();
        this.parentVotes.set(index, votes);
      }
      votes.set(lsoa11, (votes.get(lsoa11) ?? 0) + 1);
    }
    return true;
  }

  addSource(source: ReferenceSource): void {
    this.sourceList.push(source);
  }

  build(): ReferenceData {
    const lsoaCount = this.lsoaCodes.length;
    const deciles = new Uint8Array(lsoaCount);
    if (this.edition === '2025') deciles.set(this.decile2025);
    else this.fillImd2019(deciles);
    const localAuthorities = Uint16Array.from(this.lsoaLa);
    const { keys, lsoas } = this.buildPostcodeIndex();
    return new CompactReferenceData(
      this.edition,
      [...this.sourceList],
      this.lsoaIndex,
      this.lsoaCodes,
      deciles,
      localAuthorities,
      this.laCodes,
      this.lsoa11To21,
      keys,
      lsoas,
    );
  }

  /**
   * IMD 2019 is published for LSOA 2011s, so an LSOA 2021 takes the decile of the 2011 LSOA(s)
   * that best-fit onto it (the reverse of the ONS best-fit lookup). Approximations:
   * - merges (several 2011 LSOAs → one 2021): the mean of their deciles, rounded half towards
   *   the more deprived decile so a merged area is never pushed out of Core20 by a tie;
   * - splits (a 2011 LSOA → several 2021): best fit names only one child; the other children
   *   take the 2011 parent most of their postcodes carry in the postcode file (when it has an
   *   LSOA 2011 column), otherwise they have no IMD 2019.
   */
  private fillImd2019(deciles: Uint8Array): void {
    const sums = new Float64Array(deciles.length);
    const counts = new Uint16Array(deciles.length);
    for (const [lsoa11, index] of this.lsoa11To21) {
      const decile = this.imd2019ByLsoa11.get(lsoa11);
      if (decile === undefined) continue;
      sums[index] = (sums[index] ?? 0) + decile;
      counts[index] = (counts[index] ?? 0) + 1;
    }
    for (let index = 0; index < deciles.length; index += 1) {
      const count = counts[index] ?? 0;
      if (count > 0) {
        deciles[index] = Math.ceil((sums[index] ?? 0) / count - 0.5);
        continue;
      }
      const parent = majority(this.parentVotes.get(index));
      const decile = parent ? this.imd2019ByLsoa11.get(parent) : undefined;
      if (decile !== undefined) deciles[index] = decile;
    }
  }

  private buildPostcodeIndex(): { keys: Float64Array; lsoas: Uint16Array } {
    const packed = this.postcodes.take();
    packed.sort();
    const keys = new Float64Array(packed.length);
    const lsoas = new Uint16Array(packed.length);
    let size = 0;
    for (const value of packed) {
      const key = Math.floor(value / INDEX_RADIX);
      // A postcode listed twice keeps one row (the lowest LSOA index): the files hold none.
      if (size > 0 && keys[size - 1] === key) continue;
      keys[size] = key;
      lsoas[size] = value - key * INDEX_RADIX;
      size += 1;
    }
    // The builder may outlive build() in the caller's scope; the packed buffer is not needed.
    this.postcodes.clear();
    if (size === keys.length) return { keys, lsoas };
    return { keys: keys.slice(0, size), lsoas: lsoas.slice(0, size) };
  }
}

function majority(votes: Map<string, number> | undefined): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const [code, count] of votes ?? []) {
    if (count > bestCount || (count === bestCount && best !== undefined && code < best)) {
      best = code;
      bestCount = count;
    }
  }
  return best;
}

class CompactReferenceData implements ReferenceData {
  constructor(
    readonly edition: ImdEdition,
    readonly sources: readonly ReferenceSource[],
    private readonly lsoaIndex: ReadonlyMap<string, number>,
    private readonly lsoaCodes: readonly string[],
    private readonly deciles: Uint8Array,
    private readonly localAuthorities: Uint16Array,
    private readonly laCodes: readonly string[],
    private readonly lsoa11To21: ReadonlyMap<string, number>,
    private readonly postcodeKeys: Float64Array,
    private readonly postcodeLsoas: Uint16Array,
  ) {}

  lsoa21IndexForPostcode(postcode: string): number {
    const key = postcodeKey(postcode);
    if (key < 0) return -1;
    const keys = this.postcodeKeys;
    let low = 0;
    let high = keys.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const candidate = keys[middle] ?? 0;
      if (candidate < key) low = middle + 1;
      else if (candidate > key) high = middle - 1;
      else return this.postcodeLsoas[middle] ?? -1;
    }
    return -1;
  }

  lsoa21Index(code: string): number {
    // Try the code as given first: a well-formed code needs no trimmed, upper-cased copy.
    const index = this.lsoaIndex.get(code) ?? this.lsoaIndex.get(code.trim().toUpperCase());
    return index ?? -1;
  }

  lsoa21IndexForLsoa11(code: string): number {
    const index = this.lsoa11To21.get(code) ?? this.lsoa11To21.get(code.trim().toUpperCase());
    return index ?? -1;
  }

  lsoa21Code(index: number): string {
    return this.lsoaCodes[index] ?? '';
  }

  imdDecileAt(index: number): number {
    return this.deciles[index] ?? 0;
  }

  localAuthorityAt(index: number): string | undefined {
    const la = this.localAuthorities[index] ?? NO_LA;
    return la === NO_LA ? undefined : this.laCodes[la];
  }

  lsoaForPostcode(postcode: string): string | undefined {
    const index = this.lsoa21IndexForPostcode(postcode);
    return index < 0 ? undefined : this.lsoaCodes[index];
  }

  lsoa21ForLsoa11(code: string): string | undefined {
    const index = this.lsoa21IndexForLsoa11(code);
    return index < 0 ? undefined : this.lsoaCodes[index];
  }

  isLsoa21(code: string): boolean {
    return this.lsoa21Index(code) >= 0;
  }

  imd(lsoa21: string): ImdGroup | undefined {
    const index = this.lsoaIndex.get(lsoa21);
    if (index === undefined) return undefined;
    const decile = this.deciles[index] ?? 0;
    return decile === 0 ? undefined : { decile, quintile: Math.ceil(decile / 2) };
  }

  localAuthorityOf(lsoa21: string): string | undefined {
    const index = this.lsoaIndex.get(lsoa21);
    return index === undefined ? undefined : this.localAuthorityAt(index);
  }
}
