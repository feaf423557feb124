import { describe, expect, it } from 'vitest';
import { demoCsv, mulberry32, syntheticNhsNumber } from '../../../bin/support/demo-data';
import { isValidNhsNumber } from '../../../lambdas/core/nhs-number';
import { mapHeader } from '../../../lambdas/core/parse/header';
import { validateRow } from '../../../lambdas/core/validate';

function validate(csv: string, trust: string, period: string) {
  const [header = '', ...rows] = csv.trim().split('\n');
  const map = mapHeader(header.split(','));
  return rows.map((line, i) =>
    validateRow(line.split(','), map.columns, i + 2, { submittingTrust: trust, period }),
  );
}

describe('synthetic demo data', () => {
  it('makes only NHS numbers in the 999 test range that pass Modulus 11', () => {
    const random = mulberry32(7);
    for (let i = 0; i < 500; i += 1) {
      const nhs = syntheticNhsNumber(random);
      expect(nhs).toMatch(/^999\d{7}$/);
      expect(isValidNhsNumber(nhs)).toBe(true);
    }
  });

  it('is deterministic for a trust, period and seed', () => {
    const a = demoCsv({ trust: 'RQX', period: '2025-06', rows: 50 });
    expect(demoCsv({ trust: 'RQX', period: '2025-06', rows: 50 })).toBe(a);
    expect(demoCsv({ trust: 'RQX', period: '2025-07', rows: 50 })).not.toBe(a);
  });

  it('writes records that pass validation, apart from the deliberate mistakes', () => {
    const clean = validate(
      demoCsv({ trust: 'R1H', period: '2025-06', rows: 400, invalidShare: 0 }),
      'R1H',
      '2025-06',
    );
    expect(clean).toHaveLength(400);
    expect(
      clean.filter((r) => !r.ok).map((r) => (r.ok ? [] : r.errors.map((e) => e.code))),
    ).toEqual([]);

    const messy = validate(
      demoCsv({ trust: 'R1H', period: '2025-06', rows: 400, invalidShare: 0.1 }),
      'R1H',
      '2025-06',
    );
    const invalid = messy.filter((r) => !r.ok).length;
    // about 10% of 400, allowing for chance
    expect(invalid).toBeGreaterThan(15);
    expect(invalid).toBeLessThan(70);
  });
});
