import { z } from 'zod';
import { AlertRulesSchema } from './alert-config';
import {
  AMBIGUOUS_DATE_FORMATS,
  DATE_FORMATS,
  type DateFormat,
  DEFAULT_DATE_FORMATS,
} from './dates';
import { FundingConfigSchema } from './funding-config';
import { DEFAULT_MAX_CELL_BYTES, DEFAULT_MAX_COLUMNS } from './parse/csv';
import { normaliseHeaderName } from './parse/header';
import { QualityRulesSchema } from './quality-config';
import { CANONICAL_COLUMNS, type ColumnName } from './record';

/**
 * Alliance configuration: who the alliance is, its trusts and places, and the rules in force.
 * Validated once (CDK app at synth time, each Lambda at cold start from ALLIANCE_CONFIG), so a
 * typo fails loudly before anything runs. Everything the domain brief marks UNVERIFIED lives here
 * with a sensible default rather than in code.
 */

const PeriodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');
const OdsTrustSchema = z.string().regex(/^[A-Z0-9]{3}$/, 'expected a 3-character ODS trust code');

export const STANDARDS = ['fds', '31d', '62d'] as const;
export type Standard = (typeof STANDARDS)[number];

/**
 * Everything stored per submission in the aggregates, each in the same cell format: the headline
 * standards (`62d` with the shared breach allocation of domain brief §2.4), the 62-day figures
 * with every pathway given to the treating trust (`62d-treating`), the inter-provider handover
 * sub-metrics (`38d` referrer, `24d` treater) and the open-pathway snapshot (`backlog`).
 */
export const STORED_STANDARDS = [...STANDARDS, '62d-treating', '38d', '24d', 'backlog'] as const;
export type StoredStandard = (typeof STORED_STANDARDS)[number];
/** Stored ids that come from a record's clock stop (everything but the backlog snapshot). */
export type OutcomeStandard = Exclude<StoredStandard, 'backlog'>;

/** A value that applies from a month onwards, until a later entry replaces it. */
const EffectiveValueSchema = z.object({
  from: PeriodSchema,
  value: z.number().min(0).max(1),
  /** Where the figure comes from, shown to users beside the target. */
  source: z.string().optional(),
});
export type EffectiveValue = z.infer<typeof EffectiveValueSchema>;

const TargetsSchema = z.object({
  fds: z.array(EffectiveValueSchema).min(1),
  '31d': z.array(EffectiveValueSchema).min(1),
  '62d': z.array(EffectiveValueSchema).min(1),
  /** Handover sub-metrics: no national percentage exists (day 38 is a policy date), so optional. */
  '38d': z.array(EffectiveValueSchema).optional(),
  '24d': z.array(EffectiveValueSchema).optional(),
});

const MappingIdSchema = z
  .string()
  .regex(/^[a-z0-9-]+$/, 'expected a mapping id of lower-case letters, digits and hyphens');

/**
 * A named column mapping: another system's export header names for upload-contract columns.
 * Headers match like header cells (case, spaces, hyphens and underscores do not matter), so only
 * names that differ from the contract need listing; contract names still work alongside.
 */
export const ColumnMappingSchema = z
  .object({
    /** Shown in submission reports, e.g. "Somerset Cancer Register export". */
    name: z.string().min(1),
    /** Where the header names come from (and whether they have been checked against a real file). */
    source: z.string().optional(),
    /** Export header → canonical column. */
    columns: z.record(
      z.string(),
      z.enum(CANONICAL_COLUMNS, {
        error: (issue) =>
          `"${String(issue.input)}" is not an upload-contract column (see the README's upload contract)`,
      }),
    ),
  })
  .superRefine((mapping, ctx) => {
    const byHeader = new Map<string, string>();
    const byColumn = new Map<ColumnName, string>();
    for (const [header, column] of Object.entries(mapping.columns)) {
      const key = normaliseHeaderName(header);
      if (key === '') {
        ctx.addIssue({ code: 'custom', path: ['columns', header], message: 'header is blank' });
        continue;
      }
      const sameHeader = byHeader.get(key);
      if (sameHeader !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', header],
          message: `"${header}" and "${sameHeader}" are the same header once case, spaces and hyphens are ignored`,
        });
      }
      byHeader.set(key, header);
      // a mapping wins over the contract names, so this would read one column as another
      if ((CANONICAL_COLUMNS as readonly string[]).includes(key) && key !== column) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', header],
          message: `"${header}" is the contract column ${key}; it cannot be mapped to ${column}`,
        });
      }
      const sameColumn = byColumn.get(column);
      if (sameColumn !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', header],
          message: `"${header}" and "${sameColumn}" both map to ${column}; a column may have one export header`,
        });
      }
      byColumn.set(column, header);
    }
  });
export type ColumnMapping = z.infer<typeof ColumnMappingSchema>;

export const DateFormatSchema = z.enum(DATE_FORMATS);

/** How one trust's files are read; every field is optional and defaults to the upload contract. */
export const TrustIntakeSchema = z
  .object({
    /** Id of an alliance-level `columnMappings` entry. @default - contract column names only */
    mapping: MappingIdSchema.optional(),
    /** Date layouts in the trust's files, tried in order. @default - YYYY-MM-DD or DD/MM/YYYY */
    dateFormats: z.array(DateFormatSchema).min(1).optional(),
    /** XLSX sheet to read. @default - the first worksheet */
    sheet: z.string().min(1).optional(),
  })
  .superRefine((intake, ctx) => {
    const formats = intake.dateFormats ?? [];
    if (new Set(formats).size !== formats.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['dateFormats'],
        message: 'a date format is listed twice',
      });
    }
    for (const [a, b] of AMBIGUOUS_DATE_FORMATS) {
      if (formats.includes(a) && formats.includes(b)) {
        ctx.addIssue({
          code: 'custom',
          path: ['dateFormats'],
          message: `${a} and ${b} read the same text as different dates; a trust may use only one`,
        });
      }
    }
  });
export type TrustIntake = z.infer<typeof TrustIntakeSchema>;

export const TrustSchema = z.object({
  ods: OdsTrustSchema,
  name: z.string().min(1),
  /** Short name used in messages (e.g. "BHRUT"). */
  shortName: z.string().optional(),
  /** How this trust's exports are read (mapping, date formats, sheet). */
  intake: TrustIntakeSchema.optional(),
});
export type Trust = z.infer<typeof TrustSchema>;

export const PlaceSchema = z.object({
  /** Stable identifier used in API groups (e.g. "city-and-hackney"). */
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  /** GSS local authority district codes that make up the place. */
  localAuthorities: z.array(z.string().regex(/^E0[6-9]\d{6}$/)).min(1),
});
export type Place = z.infer<typeof PlaceSchema>;

/**
 * Bounds on one uploaded file. The per-cell and per-row defaults are the parser's own (csv.ts,
 * xlsx.ts); file size and row count are set well above any real monthly extract (a large trust
 * sends tens of thousands of pathways) so only a wrong or runaway file meets them.
 */
export const IntakeLimitsSchema = z.object({
  /** Largest upload accepted, in bytes; checked from the object size before a byte is read. */
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024 * 1024),
  /** Most data rows (header excluded) a file may have. */
  maxRows: z.number().int().positive().default(10_000_000),
  /** Longest cell, in bytes of its text. */
  maxCellBytes: z.number().int().positive().default(DEFAULT_MAX_CELL_BYTES),
  /** Most cells a row may have. */
  maxColumns: z.number().int().positive().default(DEFAULT_MAX_COLUMNS),
  /**
   * Largest XLSX file: a workbook is read into memory whole (a CSV is streamed), so it has its
   * own, lower bound; a larger extract must be sent as CSV.
   */
  maxXlsxBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  // the two workbook-part bounds repeat xlsx.ts's defaults (not imported: config stays free of
  // the inflate library, which every Lambda would otherwise bundle); a unit test ties them
  /** Largest declared uncompressed size of any workbook part read. */
  maxXlsxPartBytes: z
    .number()
    .int()
    .positive()
    .default(200 * 1024 * 1024),
  /** Largest uncompressed/compressed ratio for a workbook part over 1 MiB (zip bombs). */
  maxXlsxCompressionRatio: z.number().positive().default(200),
});
export type IntakeLimits = z.infer<typeof IntakeLimitsSchema>;

export const RulesSchema = z.object({
  /** Share of invalid records above which a whole file is rejected. */
  rejectInvalidShare: z.number().min(0).max(1).default(0.5),
  /** IMD edition used for enrichment; recorded on every enriched record. */
  imdEdition: z.enum(['2025', '2019']).default('2025'),
  /**
   * Domain brief §1.4 (UNVERIFIED): one public implementation keeps FDS end reason 03 with
   * exclusion reason 01 as a breach when the wait exceeds 28 days. Off unless confirmed.
   */
  fdsCountExcludedLateAsBreach: z.boolean().default(false),
  /** NHS small-number suppression for breakdowns (domain brief §6). */
  suppression: z
    .object({
      /** Counts from 1 up to this value are suppressed. */
      maxSuppressed: z.number().int().min(0).default(7),
      /** Other counts are rounded to the nearest multiple of this. */
      roundTo: z.number().int().min(1).default(5),
    })
    .default({ maxSuppressed: 7, roundTo: 5 }),
  /** Files above this size are split into chunks processed by a Distributed Map. */
  chunkThresholdBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Records per chunk on the chunked path. */
  chunkRows: z.number().int().positive().default(250_000),
  /** Thresholds of the alert rules (inequality gap, special cause, submission deadline). */
  alerts: AlertRulesSchema.default(AlertRulesSchema.parse({})),
  /** Bounds on one uploaded file (size, rows, cells, workbook parts). */
  limits: IntakeLimitsSchema.default(IntakeLimitsSchema.parse({})),
  /** Data-quality scorecard: default codes, DQMI default thresholds, coverage window. */
  quality: QualityRulesSchema.default(QualityRulesSchema.parse({})),
});
export type Rules = z.infer<typeof RulesSchema>;

export const AllianceConfigSchema = z
  .object({
    /** Alliance display name, e.g. "North East London". */
    name: z.string().min(1),
    /** ONS Cancer Alliance code (E56…). */
    code: z.string().regex(/^E56\d{6}$/),
    region: z.string().default('eu-west-2'),
    trusts: z.array(TrustSchema).min(1),
    places: z.array(PlaceSchema).default([]),
    /** Operational standards by effective month (fractions). */
    targets: TargetsSchema,
    /** Planning ambitions / interim trajectories by effective month (fractions). */
    ambitions: TargetsSchema.partial().default({}),
    rules: RulesSchema.default(RulesSchema.parse({})),
    /** Funding-allocation defaults (domain brief §5.2); absent = the defaults in funding-config. */
    funding: FundingConfigSchema.optional(),
    /** Email subscribed to the alerts topic (cloud only). */
    alertEmail: z.email().optional(),
    /** Named column mappings trusts refer to by id (`trusts[].intake.mapping`). */
    columnMappings: z.record(MappingIdSchema, ColumnMappingSchema).default({}),
  })
  .superRefine((config, ctx) => {
    config.trusts.forEach((trust, index) => {
      const mapping = trust.intake?.mapping;
      if (mapping !== undefined && !Object.hasOwn(config.columnMappings, mapping)) {
        const known = Object.keys(config.columnMappings).join(', ') || 'none are defined';
        ctx.addIssue({
          code: 'custom',
          path: ['trusts', index, 'intake', 'mapping'],
          message: `column mapping "${mapping}" is not defined in columnMappings (${known})`,
        });
      }
    });
  });
export type AllianceConfig = z.infer<typeof AllianceConfigSchema>;

/** The value in force for a month: the latest entry whose `from` is not after it. */
export function valueInForce(
  entries: readonly EffectiveValue[] | undefined,
  period: string,
): EffectiveValue | null {
  let best: EffectiveValue | null = null;
  for (const entry of entries ?? []) {
    if (entry.from <= period && (best === null || entry.from > best.from)) best = entry;
  }
  return best;
}

/** A trust's intake settings with the alliance defaults filled in, as the file check uses them. */
export interface ResolvedIntake {
  /** The named mapping applied, or null for contract column names only. */
  readonly mapping: {
    readonly id: string;
    readonly name: string;
    readonly columns: Readonly<Record<string, ColumnName>>;
  } | null;
  readonly dateFormats: readonly DateFormat[];
  readonly sheet: string | null;
  readonly limits: IntakeLimits;
}

/**
 * The intake settings for one trust. A trust not in the list (rejected elsewhere as
 * TRUST_UNKNOWN) gets the defaults.
 */
export function resolveIntake(
  trust: string,
  config: {
    readonly trusts: ReadonlyArray<{ ods: string; intake?: TrustIntake | undefined }>;
    readonly columnMappings?: Readonly<Record<string, ColumnMapping>> | undefined;
    readonly rules: Rules;
  },
): ResolvedIntake {
  const intake = config.trusts.find((entry) => entry.ods === trust)?.intake;
  const id = intake?.mapping;
  const mapping = id === undefined ? undefined : config.columnMappings?.[id];
  return {
    mapping:
      id !== undefined && mapping ? { id, name: mapping.name, columns: mapping.columns } : null,
    dateFormats: intake?.dateFormats ?? DEFAULT_DATE_FORMATS,
    sheet: intake?.sheet ?? null,
    limits: config.rules.limits,
  };
}
