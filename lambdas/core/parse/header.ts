import { CANONICAL_COLUMNS, type ColumnName, REQUIRED_COLUMNS } from '../record';

/** Where each upload-contract column sits in a file, and what did not fit the contract. */
export interface HeaderMap {
  /** Zero-based cell index of each recognised column (its first occurrence). */
  readonly columns: Partial<Record<ColumnName, number>>;
  /** Header names that match no column, as written in the file (trimmed). */
  readonly unknown: string[];
  /** Columns that more than one header cell maps to; the first one is used. */
  readonly duplicates: ColumnName[];
  /** Required columns the header does not provide. */
  readonly missingRequired: ColumnName[];
  /** Header cells recognised through `aliases` (as written, trimmed), in file order. */
  readonly aliased: Array<{ header: string; column: ColumnName }>;
}

export interface HeaderOptions {
  /**
   * Other exports' header names for contract columns (e.g. a trust's `NHS No` → `nhs_number`).
   * Keys are matched like header cells (case, spaces and hyphens do not matter) and take
   * precedence over the contract names, since they are a trust's explicit configuration.
   */
  readonly aliases?: Readonly<Record<string, ColumnName>>;
}

const CANONICAL = new Set<string>(CANONICAL_COLUMNS);

/** `' Referral Received-Date '` → `referral_received_date`; a leading byte-order mark goes. */
export function normaliseHeaderName(raw: string): string {
  return raw
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export function mapHeader(cells: readonly string[], options: HeaderOptions = {}): HeaderMap {
  const aliases = normaliseAliases(options.aliases ?? {});
  const columns: Partial<Record<ColumnName, number>> = {};
  const unknown: string[] = [];
  const duplicates: ColumnName[] = [];
  const aliased: Array<{ header: string; column: ColumnName }> = [];
  cells.forEach((cell, index) => {
    const key = normaliseHeaderName(cell);
    // blank header cells are the trailing empty columns spreadsheets leave behind
    if (key === '') return;
    const alias = aliases.get(key);
    const column = alias ?? (CANONICAL.has(key) ? (key as ColumnName) : undefined);
    if (column === undefined) {
      unknown.push(cell.replace(/^\uFEFF/, '').trim());
    } else if (columns[column] === undefined) {
      columns[column] = index;
      if (alias !== undefined) aliased.push({ header: cell.replace(/^\uFEFF/, '').trim(), column });
    } else if (!duplicates.includes(column)) {
      duplicates.push(column);
    }
  });
  const missingRequired = REQUIRED_COLUMNS.filter((column) => columns[column] === undefined);
  return { columns, unknown, duplicates, missingRequired, aliased };
}

function normaliseAliases(aliases: Readonly<Record<string, ColumnName>>): Map<string, ColumnName> {
  const map = new Map<string, ColumnName>();
  for (const [name, column] of Object.entries(aliases)) {
    if (CANONICAL.has(column)) map.set(normaliseHeaderName(name), column);
  }
  return map;
}
