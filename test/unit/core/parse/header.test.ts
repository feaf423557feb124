import { describe, expect, it } from 'vitest';
import { mapHeader, normaliseHeaderName } from '../../../../lambdas/core/parse/header';

describe('mapHeader', () => {
  it('matches contract columns ignoring case, spaces, hyphens and a byte-order mark', () => {
    // Prepare
    const cells = [
      '\ufeffPathway ID',
      ' NHS-Number ',
      'PRIORITY_TYPE',
      'Referral  Received - Date',
    ];

    // Act
    const header = mapHeader(cells);

    // Assess: each cell's index, as listed above
    expect(header.columns).toEqual({
      pathway_id: 0,
      nhs_number: 1,
      priority_type: 2,
      referral_received_date: 3,
    });
    expect(header.unknown).toEqual([]);
    expect(header.missingRequired).toEqual([]);
  });

  it('lists unknown columns as written, and ignores blank header cells', () => {
    // Act
    const header = mapHeader(['pathway_id', ' Local Ref ', '', 'nhs_number', 'Notes', '  ']);

    // Assess
    expect(header.unknown).toEqual(['Local Ref', 'Notes']);
    expect(header.columns).toEqual({ pathway_id: 0, nhs_number: 3 });
  });

  it('maps aliases from another export, matched like header cells', () => {
    // Prepare: a trust export using CWT001-style names
    const aliases = { 'NHS No': 'nhs_number', CRTPDATE: 'referral_received_date' } as const;

    // Act
    const header = mapHeader(['Pathway ID', 'nhs no', 'crtpdate', 'priority type'], { aliases });

    // Assess
    expect(header.columns).toEqual({
      pathway_id: 0,
      nhs_number: 1,
      referral_received_date: 2,
      priority_type: 3,
    });
    expect(header.missingRequired).toEqual([]);
  });

  it('lets an alias take precedence over the contract name it shadows', () => {
    // Prepare: this trust's "postcode" column holds the LSOA code
    const header = mapHeader(['postcode'], { aliases: { postcode: 'lsoa_code' } });

    // Assess
    expect(header.columns).toEqual({ lsoa_code: 0 });
  });

  it('reports a column given twice once, and keeps the first', () => {
    // Act
    const header = mapHeader([
      'nhs_number',
      'NHS Number',
      'pathway_id',
      'nhs-number',
      'Pathway ID',
    ]);

    // Assess
    expect(header.columns.nhs_number).toBe(0);
    expect(header.columns.pathway_id).toBe(2);
    expect(header.duplicates).toEqual(['nhs_number', 'pathway_id']);
  });

  it('lists the required columns the header lacks', () => {
    // Act
    const header = mapHeader(['pathway_id', 'date_of_birth']);

    // Assess: REQUIRED_COLUMNS minus pathway_id
    expect(header.missingRequired).toEqual([
      'nhs_number',
      'priority_type',
      'referral_received_date',
    ]);
  });

  it('normalises names to the contract spelling', () => {
    // Act / Assess
    expect(normaliseHeaderName('  Date-of_Birth ')).toBe('date_of_birth');
    expect(normaliseHeaderName('_x_')).toBe('x');
  });
});
