import { describe, expect, it } from 'vitest';
import {
  normalisePostcode,
  postcodeKey,
  ReferenceDataBuilder,
} from '../../../../lambdas/core/reference';

describe('postcode keys', () => {
  it('ignores case and spacing but tells different postcodes apart', () => {
    // Act / Assess
    expect(postcodeKey('E1 1BB')).toBe(postcodeKey('e11bb'));
    expect(postcodeKey('E1 1BB')).toBe(postcodeKey(' E1  1BB '));
    expect(postcodeKey('E1 1BB')).not.toBe(postcodeKey('E11 1BB'));
    // The outward code's padding is not confused with a '0'.
    expect(postcodeKey('E1 1AA')).not.toBe(postcodeKey('E10 1AA'));
    expect(postcodeKey('E1W 1AA')).toBe(postcodeKey('E1W1AA'));
    expect(postcodeKey('EC1A 1BB')).toBeGreaterThan(0);
  });

  it('rejects strings that cannot be unit postcodes', () => {
    expect(postcodeKey('E1')).toBe(-1);
    expect(postcodeKey('EC1A1BBX1')).toBe(-1);
    expect(postcodeKey('E1-1BB')).toBe(-1);
  });

  it('normalises to upper case with one space before the inward code', () => {
    expect(normalisePostcode('ec1a1bb')).toBe('EC1A 1BB');
    expect(normalisePostcode('E1   1BB')).toBe('E1 1BB');
  });
});

describe('ReferenceDataBuilder', () => {
  function build2025() {
    const builder = new ReferenceDataBuilder('2025');
    builder.addLsoa21('E01004322', 'E09000030', 1);
    builder.addLsoa21('E01000001', 'E09000001', 8);
    builder.addLsoa21('E01035660', 'E09000030', 3);
    builder.addBestFit('E01004322', 'E01004322', 'E09000030');
    builder.addBestFit('E01004197', 'E01035660', 'E09000030');
    // Added out of order on purpose: the index sorts.
    expect(builder.addPostcode('RM7 0AG', 'E01002248', 'E09000016')).toBe(true);
    expect(builder.addPostcode('E1 1BB', 'E01004322', 'E09000030')).toBe(true);
    expect(builder.addPostcode('EC2Y 8AA', 'E01000001', 'E09000001')).toBe(true);
    expect(builder.addPostcode('not a postcode', 'E01000001', 'E09000001')).toBe(false);
    builder.addSource({ file: 'x.csv', rows: 3 });
    return builder.build();
  }

  it('maps postcodes to LSOA 2021 whatever their spelling', () => {
    // Act
    const ref = build2025();
    // Assess
    expect(ref.lsoaForPostcode('E1 1BB')).toBe('E01004322');
    expect(ref.lsoaForPostcode('ec2y8aa')).toBe('E01000001');
    expect(ref.lsoaForPostcode('RM7 0AG')).toBe('E01002248');
    expect(ref.lsoaForPostcode('E1 1BA')).toBeUndefined();
    expect(ref.lsoaForPostcode('')).toBeUndefined();
  });

  it('gives decile, quintile = ceil(decile / 2) and local authority per LSOA 2021', () => {
    // Act
    const ref = build2025();
    // Assess
    expect(ref.imd('E01004322')).toEqual({ decile: 1, quintile: 1 });
    expect(ref.imd('E01000001')).toEqual({ decile: 8, quintile: 4 });
    expect(ref.imd('E01035660')).toEqual({ decile: 3, quintile: 2 });
    // Known from the postcode file only: local authority but no IMD.
    expect(ref.imd('E01002248')).toBeUndefined();
    expect(ref.localAuthorityOf('E01002248')).toBe('E09000016');
    expect(ref.localAuthorityOf('E01999999')).toBeUndefined();
    expect(ref.edition).toBe('2025');
    expect(ref.sources).toEqual([{ file: 'x.csv', rows: 3 }]);
  });

  it('maps LSOA 2011 codes through the best fit and recognises 2021 codes', () => {
    const ref = build2025();
    expect(ref.lsoa21ForLsoa11('E01004197')).toBe('E01035660');
    expect(ref.lsoa21ForLsoa11('e01004197')).toBe('E01035660');
    expect(ref.lsoa21ForLsoa11('E01035660')).toBeUndefined();
    expect(ref.isLsoa21('E01035660')).toBe(true);
    expect(ref.isLsoa21('E01004197')).toBe(false);
  });

  describe('IMD 2019 on LSOA 2021 (reverse best fit)', () => {
    function build2019() {
      const builder = new ReferenceDataBuilder('2019');
      for (const code of ['E01004322', 'E01035660', 'E01035661', 'E01035670', 'E01035700']) {
        // IMD 2025 deciles are ignored in 2019 mode.
        builder.addLsoa21(code, 'E09000030', 10);
      }
      builder.addImd2019('E01004322', 3);
      builder.addImd2019('E01004197', 3);
      builder.addImd2019('E01004261', 4);
      builder.addImd2019('E01004262', 3);
      builder.addImd2019('E01004300', 5);
      builder.addImd2019('E01004301', 6);
      builder.addImd2019('E01004302', 6);
      builder.addBestFit('E01004322', 'E01004322', null);
      builder.addBestFit('E01004197', 'E01035660', null);
      builder.addBestFit('E01004261', 'E01035670', null);
      builder.addBestFit('E01004262', 'E01035670', null);
      builder.addBestFit('E01004300', 'E01035700', null);
      builder.addBestFit('E01004301', 'E01035700', null);
      builder.addBestFit('E01004302', 'E01035700', null);
      // E01035661 is the other half of the E01004197 split: two postcodes say so, one not.
      builder.addPostcode('E2 9BS', 'E01035661', null, 'E01004197');
      builder.addPostcode('E2 9BX', 'E01035661', null, 'E01004197');
      builder.addPostcode('E2 9BY', 'E01035661', null, 'E01004322');
      return builder.build();
    }

    it('uses the decile of the single 2011 LSOA that best-fits onto an unchanged or split LSOA', () => {
      const ref = build2019();
      expect(ref.edition).toBe('2019');
      expect(ref.imd('E01004322')).toEqual({ decile: 3, quintile: 2 });
      expect(ref.imd('E01035660')).toEqual({ decile: 3, quintile: 2 });
    });

    it('averages merged LSOAs, rounding a tie towards the more deprived decile', () => {
      const ref = build2019();
      // (4 + 3) / 2 = 3.5 → 3 (tie goes to the more deprived side).
      expect(ref.imd('E01035670')).toEqual({ decile: 3, quintile: 2 });
      // (5 + 6 + 6) / 3 = 5.67 → 6.
      expect(ref.imd('E01035700')).toEqual({ decile: 6, quintile: 3 });
    });

    it("falls back to the 2011 parent most of a split child's postcodes carry", () => {
      const ref = build2019();
      // Two of three postcodes name E01004197 (decile 3) against one E01004322 (also 3, so
      // check the choice through a parent with a different decile below).
      expect(ref.imd('E01035661')).toEqual({ decile: 3, quintile: 2 });

      const builder = new ReferenceDataBuilder('2019');
      builder.addLsoa21('E01035661', 'E09000030');
      builder.addImd2019('E01004197', 7);
      builder.addImd2019('E01004322', 2);
      builder.addPostcode('E2 9BS', 'E01035661', null, 'E01004197');
      builder.addPostcode('E2 9BX', 'E01035661', null, 'E01004197');
      builder.addPostcode('E2 9BY', 'E01035661', null, 'E01004322');
      expect(builder.build().imd('E01035661')).toEqual({ decile: 7, quintile: 4 });
    });
  });
});
