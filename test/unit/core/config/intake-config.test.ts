import { describe, expect, it } from 'vitest';
import { AllianceConfigSchema, RulesSchema, resolveIntake } from '../../../../lambdas/core/config';
import { DEFAULT_MAX_CELL_BYTES, DEFAULT_MAX_COLUMNS } from '../../../../lambdas/core/parse/csv';
import {
  DEFAULT_MAX_COMPRESSION_RATIO,
  DEFAULT_MAX_ENTRY_BYTES,
} from '../../../../lambdas/core/parse/xlsx';
import nel from '../../../../lib/alliances/north-east-london.json';

/** NEL with intake settings for some trusts and optionally other mappings. */
function configWith(
  intake: Record<string, unknown>,
  columnMappings: Record<string, unknown> = nel.columnMappings,
) {
  return {
    ...nel,
    trusts: nel.trusts.map((trust) =>
      intake[trust.ods] ? { ...trust, intake: intake[trust.ods] } : trust,
    ),
    columnMappings,
  };
}

function issues(raw: unknown): string[] {
  const parsed = AllianceConfigSchema.safeParse(raw);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('column mappings and trust intake in the alliance config', () => {
  it('accepts the NEL file, whose example mappings no trust uses yet', () => {
    // Act
    const config = AllianceConfigSchema.parse(nel);

    // Assess: both examples are there, marked unverified, and assigned to no real trust
    expect(Object.keys(config.columnMappings).sort()).toEqual(['infoflex', 'scr']);
    for (const mapping of Object.values(config.columnMappings)) {
      expect(mapping.source).toContain('UNVERIFIED');
    }
    expect(config.trusts.every((trust) => trust.intake === undefined)).toBe(true);
  });

  it('accepts a trust that names a mapping, date formats and a sheet', () => {
    // Act
    const config = AllianceConfigSchema.parse(
      configWith({ RF4: { mapping: 'scr', dateFormats: ['DD-MMM-YYYY'], sheet: 'CWT' } }),
    );

    // Assess
    const intake = resolveIntake('RF4', config);
    expect(intake.mapping).toMatchObject({ id: 'scr', name: config.columnMappings.scr?.name });
    expect(intake.mapping?.columns.PPI).toBe('pathway_id');
    expect(intake.dateFormats).toEqual(['DD-MMM-YYYY']);
    expect(intake.sheet).toBe('CWT');
  });

  it('gives a trust without intake settings the contract names and the default dates', () => {
    // Act
    const intake = resolveIntake('R1H', AllianceConfigSchema.parse(nel));

    // Assess
    expect(intake).toMatchObject({
      mapping: null,
      dateFormats: ['YYYY-MM-DD', 'DD/MM/YYYY'],
      sheet: null,
    });
  });

  it('refuses a trust that names a mapping the config does not define', () => {
    expect(issues(configWith({ R1H: { mapping: 'medway' } }))).toEqual([
      'trusts.0.intake.mapping: column mapping "medway" is not defined in columnMappings (scr, infoflex)',
    ]);
  });

  it('refuses a mapping target that is not a contract column', () => {
    // Act
    const found = issues(
      configWith({}, { x: { name: 'X', columns: { 'Ref Date': 'referral_date' } } }),
    );

    // Assess
    expect(found).toEqual([
      'columnMappings.x.columns.Ref Date: "referral_date" is not an upload-contract column (see the README\'s upload contract)',
    ]);
  });

  it('refuses mapping a contract column name to another column', () => {
    // Act: a file's real treatment_start_date column would be read as the decision to treat
    const found = issues(
      configWith(
        {},
        { x: { name: 'X', columns: { 'Treatment Start Date': 'decision_to_treat_date' } } },
      ),
    );

    // Assess
    expect(found).toEqual([
      'columnMappings.x.columns.Treatment Start Date: "Treatment Start Date" is the contract column treatment_start_date; it cannot be mapped to decision_to_treat_date',
    ]);
  });

  it('refuses two export headers for one column, and two spellings of one header', () => {
    // Act: "Ref Date" and "ref-date" normalise to the same header; "Referral" doubles a column.
    const found = issues(
      configWith(
        {},
        {
          x: {
            name: 'X',
            columns: {
              'Ref Date': 'referral_received_date',
              'ref-date': 'treatment_start_date',
              Referral: 'referral_received_date',
            },
          },
        },
      ),
    );

    // Assess
    expect(found).toHaveLength(2);
    expect(found[0]).toContain('"ref-date" and "Ref Date" are the same header');
    expect(found[1]).toContain('"Referral" and "Ref Date" both map to referral_received_date');
  });

  it('refuses day-first and month-first slashes together, and an unknown format', () => {
    expect(issues(configWith({ RQX: { dateFormats: ['DD/MM/YYYY', 'MM/DD/YYYY'] } }))).toEqual([
      'trusts.2.intake.dateFormats: DD/MM/YYYY and MM/DD/YYYY read the same text as different dates; a trust may use only one',
    ]);
    expect(issues(configWith({ RQX: { dateFormats: ['D/M/YY'] } }))[0]).toMatch(
      /^trusts\.2\.intake\.dateFormats\.0: /,
    );
    expect(issues(configWith({ RQX: { dateFormats: [] } }))).toHaveLength(1);
  });
});

describe('intake limits', () => {
  it('default to the parser limits, 1 GiB and ten million rows', () => {
    // Act
    const { limits } = RulesSchema.parse({});

    // Assess: 1 GiB = 1024³; the parser's own defaults are 32 KiB cells and 512 columns.
    expect(limits).toEqual({
      maxFileBytes: 1_073_741_824,
      maxRows: 10_000_000,
      maxCellBytes: 32_768,
      maxColumns: 512,
      maxXlsxBytes: 268_435_456,
      maxXlsxPartBytes: 209_715_200,
      maxXlsxCompressionRatio: 200,
    });
  });

  it("are the readers' own defaults, so config and parser cannot drift apart", () => {
    // Act
    const { limits } = RulesSchema.parse({});

    // Assess
    expect([limits.maxCellBytes, limits.maxColumns]).toEqual([
      DEFAULT_MAX_CELL_BYTES,
      DEFAULT_MAX_COLUMNS,
    ]);
    expect([limits.maxXlsxPartBytes, limits.maxXlsxCompressionRatio]).toEqual([
      DEFAULT_MAX_ENTRY_BYTES,
      DEFAULT_MAX_COMPRESSION_RATIO,
    ]);
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(RulesSchema.safeParse({ limits: { maxRows: 0 } }).success).toBe(false);
    expect(RulesSchema.safeParse({ limits: { maxFileBytes: 1.5 } }).success).toBe(false);
  });
});
