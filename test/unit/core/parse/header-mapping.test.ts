import { describe, expect, it } from 'vitest';
import { AllianceConfigSchema } from '../../../../lambdas/core/config';
import { mapHeader } from '../../../../lambdas/core/parse/header';
import nel from '../../../../lib/alliances/north-east-london.json';

const { columnMappings } = AllianceConfigSchema.parse(nel);
const scr = columnMappings.scr?.columns ?? {};

describe('mapHeader with a trust column mapping', () => {
  it('maps export headers, however spaced or cased, and lists the pairs it applied', () => {
    // Act: "nhs  no" and "date-referral-received" normalise to the mapping's keys
    const header = mapHeader(['PPI', 'nhs  no', 'Priority', 'date-referral-received', 'Notes'], {
      aliases: scr,
    });

    // Assess: positions are cell indexes; "Notes" is in neither the mapping nor the contract
    expect(header.columns).toEqual({
      pathway_id: 0,
      nhs_number: 1,
      priority_type: 2,
      referral_received_date: 3,
    });
    expect(header.aliased).toEqual([
      { header: 'PPI', column: 'pathway_id' },
      { header: 'nhs  no', column: 'nhs_number' },
      { header: 'Priority', column: 'priority_type' },
      { header: 'date-referral-received', column: 'referral_received_date' },
    ]);
    expect(header.unknown).toEqual(['Notes']);
    expect(header.missingRequired).toEqual([]);
  });

  it('still reads contract names beside the mapping, and reports a column given twice', () => {
    // Act: pathway_id (contract) and PPI (mapping) are the same column; the first one wins
    const header = mapHeader(
      ['pathway_id', 'PPI', 'nhs_number', 'priority_type', 'referral_received_date'],
      { aliases: scr },
    );

    // Assess
    expect(header.columns.pathway_id).toBe(0);
    expect(header.duplicates).toEqual(['pathway_id']);
    expect(header.aliased).toEqual([]);
  });

  it('does not apply one trust mapping to a trust without it', () => {
    // Act
    const header = mapHeader(['PPI', 'NHS No', 'Priority', 'Date Referral Received']);

    // Assess
    expect(header.columns).toEqual({});
    expect(header.missingRequired).toEqual([
      'pathway_id',
      'nhs_number',
      'priority_type',
      'referral_received_date',
    ]);
  });
});
