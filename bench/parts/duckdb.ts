import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { childInput, peakRssMiB, reportResult, seconds } from '../child';
import { type QuintileFigure, sortFigures } from '../figures';

/**
 * The same aggregation in DuckDB, the reference engine: read the CSV, keep the records our
 * validator would keep (the checks that the generated files exercise: NHS number Modulus 11 and
 * not one digit repeated, required items, first seen not before referral), join postcode → LSOA 2021 → IMD 2025
 * quintile, and sum FDS, 31-day and 62-day (all to the treating trust) within/total by trust ×
 * month × IMD quintile, with the clock rules of lambdas/core/standards.ts written in SQL.
 */

export interface DuckDbInput {
  readonly file: string;
  readonly trust: string;
  readonly period: string;
  readonly referenceDir: string;
  /** DuckDB worker threads (default: one per core). */
  readonly threads?: number;
  /**
   * Apply the record checks (default). Without them DuckDB only reads, joins and sums — the
   * least it can do — and its figures include the invalid records our validator drops.
   */
  readonly validate?: boolean;
}

export interface DuckDbResult {
  readonly validate: boolean;
  readonly threads: number;
  readonly version: string;
  readonly seconds: number;
  readonly groups: number;
  readonly rows: number;
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
  /** The file's month only, to compare with the core's partial aggregate. */
  readonly figures: QuintileFigure[];
}

const input = childInput<DuckDbInput>();
const validate = input.validate ?? true;
const postcodeFile = ['postcode_lsoa.csv', 'postcode_lsoa_nel.csv']
  .map((name) => join(input.referenceDir, name))
  .find((path) => existsSync(path));
if (!postcodeFile) throw new Error(`No postcode lookup in ${input.referenceDir}.`);
const imdFile = join(input.referenceDir, 'imd2025_lsoa21_england.csv');

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const digit = (position: number) => `(ascii(substr(nhs, ${position}, 1)) - 48)`;
const weightedSum = Array.from({ length: 9 }, (_, i) => `${10 - i} * ${digit(i + 1)}`).join(' + ');

const RECORD_CHECKS = `pathway IS NOT NULL AND priority IS NOT NULL AND referral IS NOT NULL
    AND regexp_full_match(nhs, '[0-9]{10}')
    AND (11 - (${weightedSum}) % 11) % 11 = ${digit(10)}
    AND nhs <> repeat(left(nhs, 1), 10)
    AND (first_seen IS NULL OR first_seen >= referral)`;

const SQL = `
CREATE MACRO d(x) AS CASE
  WHEN substr(x, 3, 1) = '/' THEN make_date(try_cast(substr(x, 7, 4) AS INTEGER),
    try_cast(substr(x, 4, 2) AS INTEGER), try_cast(substr(x, 1, 2) AS INTEGER))
  ELSE try_cast(x AS DATE)
END;
CREATE MACRO days(x) AS coalesce(try_cast(nullif(trim(x), '') AS INTEGER), 0);

CREATE TEMP TABLE aggregated AS
WITH postcodes AS (
  SELECT upper(replace(postcode, ' ', '')) AS pc, lsoa21_code
  FROM read_csv(${quote(postcodeFile)}, header = true, all_varchar = true)
), imd AS (
  SELECT lsoa21_code, ceil(try_cast(imd_decile AS INTEGER) / 2)::INTEGER AS quintile
  FROM read_csv(${quote(imdFile)}, header = true, all_varchar = true)
), rows AS (
  SELECT
    replace(replace(trim(nhs_number), ' ', ''), '-', '') AS nhs,
    nullif(trim(pathway_id), '') AS pathway,
    nullif(trim(priority_type), '') AS priority,
    nullif(trim(source_of_referral), '') AS source,
    nullif(trim(cancer_referral_type), '') AS referral_type,
    d(referral_received_date) AS referral,
    d(consultant_upgrade_date) AS upgrade,
    d(date_first_seen) AS first_seen,
    days(first_seen_adjustment_days) AS first_seen_adjustment,
    d(fds_end_date) AS fds_end,
    nullif(trim(fds_end_reason), '') AS fds_reason,
    upper(left(nullif(trim(org_fds_end), ''), 3)) AS fds_trust,
    nullif(trim(primary_diagnosis_icd10), '') AS diagnosis,
    d(decision_to_treat_date) AS dtt,
    d(treatment_start_date) AS treatment,
    nullif(trim(treatment_event_type), '') AS event_type,
    coalesce(nullif(trim(treatment_modality), ''), '') AS modality,
    upper(left(nullif(trim(org_treatment_start), ''), 3)) AS treating_trust,
    days(treatment_adjustment_days) AS treatment_adjustment,
    upper(replace(postcode, ' ', '')) AS pc
  FROM read_csv(${quote(input.file)}, header = true, all_varchar = true)
), valid AS (
  SELECT
    r.*,
    CASE
      WHEN source = '17' THEN CASE WHEN priority = '2' THEN 'screening' ELSE 'unknown' END
      WHEN upgrade IS NOT NULL THEN 'consultant-upgrade'
      WHEN priority = '3' THEN CASE WHEN referral_type = '16' THEN 'breast-symptomatic' ELSE 'usc' END
      ELSE 'unknown'
    END AS route,
    coalesce(imd.quintile::VARCHAR, 'unknown') AS quintile
  FROM rows r
  LEFT JOIN postcodes p ON p.pc = r.pc
  LEFT JOIN imd ON imd.lsoa21_code = p.lsoa21_code
  WHERE ${validate ? RECORD_CHECKS : 'referral IS NOT NULL'}
), flagged AS (
  -- One row per record with its three outcomes (NULL when it does not count), so the file is
  -- scanned once; FDS is grouped by where its pathway ended, 31/62-day by the treating trust.
  SELECT
    quintile,
    coalesce(fds_trust, ${quote(input.trust)}) AS fds_trust,
    date_trunc('month', fds_end) AS fds_month,
    coalesce(treating_trust, ${quote(input.trust)}) AS treating_trust,
    date_trunc('month', treatment) AS treatment_month,
    CASE WHEN fds_end IS NOT NULL AND fds_reason IN ('01', '02', '04')
        AND route IN ('usc', 'breast-symptomatic', 'screening')
      THEN ((least(coalesce(dtt, fds_end), fds_end) - referral - first_seen_adjustment) <= 28)::INTEGER
    END AS fds,
    CASE WHEN treatment IS NOT NULL AND dtt IS NOT NULL AND diagnosis IS NOT NULL
        AND event_type IN ('01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12')
        AND modality <> '98'
      THEN ((treatment - least(dtt, treatment) - treatment_adjustment) <= 31)::INTEGER
    END AS d31,
    CASE WHEN route IN ('usc', 'breast-symptomatic', 'screening', 'consultant-upgrade')
        AND event_type IN ('01', '07', '12') AND treatment IS NOT NULL AND dtt IS NOT NULL
        AND diagnosis IS NOT NULL AND modality <> '98'
      THEN ((CASE WHEN route = 'consultant-upgrade'
        THEN treatment - upgrade - treatment_adjustment
        ELSE treatment - referral - first_seen_adjustment - treatment_adjustment
      END) <= 62)::INTEGER
    END AS d62
  FROM valid
), grouped AS MATERIALIZED (
  SELECT grouping(fds_trust) = 1 AS by_treatment, fds_trust, fds_month, treating_trust,
    treatment_month, quintile,
    sum(fds) AS fds_within, count(fds) AS fds_total,
    sum(d31) AS d31_within, count(d31) AS d31_total,
    sum(d62) AS d62_within, count(d62) AS d62_total
  FROM flagged
  GROUP BY GROUPING SETS ((fds_trust, fds_month, quintile),
    (treating_trust, treatment_month, quintile))
)
SELECT 'fds' AS standard, fds_trust AS trust, strftime(fds_month, '%Y-%m') AS month, quintile,
  fds_within::INTEGER AS within, fds_total::INTEGER AS total
FROM grouped WHERE NOT by_treatment AND fds_total > 0
UNION ALL
SELECT '31d', treating_trust, strftime(treatment_month, '%Y-%m'), quintile,
  d31_within::INTEGER, d31_total::INTEGER
FROM grouped WHERE by_treatment AND d31_total > 0
UNION ALL
SELECT '62d', treating_trust, strftime(treatment_month, '%Y-%m'), quintile,
  d62_within::INTEGER, d62_total::INTEGER
FROM grouped WHERE by_treatment AND d62_total > 0;
`;

const baselineRssMiB = process.memoryUsage().rss / 2 ** 20;
const started = performance.now();
const instance = await DuckDBInstance.create(':memory:', {
  ...(input.threads ? { threads: String(input.threads) } : {}),
});
const connection = await instance.connect();
await connection.run(SQL);
const elapsed = seconds(started);

const settings = await connection.runAndReadAll(
  "SELECT current_setting('threads')::INTEGER AS threads, version() AS version",
);
const [setting] = settings.getRowObjectsJS() as Array<{ threads: number; version: string }>;
const grouped = await connection.runAndReadAll(
  'SELECT standard, trust, month, quintile, within, total FROM aggregated',
);
const rows = grouped.getRowObjectsJS() as Array<{
  standard: QuintileFigure['standard'];
  trust: string;
  month: string;
  quintile: string;
  within: number;
  total: number;
}>;
// The row count is a second pass, outside the timing: it only labels the figures.
const counted = await connection.runAndReadAll(
  `SELECT count(*)::INTEGER AS n FROM read_csv(${quote(input.file)}, header = true, all_varchar = true)`,
);
const [{ n } = { n: 0 }] = counted.getRowObjectsJS() as Array<{ n: number }>;
connection.closeSync();
instance.closeSync();

const result: DuckDbResult = {
  validate,
  threads: setting?.threads ?? 0,
  version: setting?.version ?? '',
  seconds: elapsed,
  groups: rows.length,
  rows: n,
  baselineRssMiB,
  peakRssMiB: peakRssMiB(),
  figures: sortFigures(
    rows
      .filter((row) => row.month === input.period)
      .map(({ standard, trust, quintile, within, total }) => ({
        standard,
        trust,
        quintile,
        within,
        total,
      })),
  ),
};
reportResult(result);
