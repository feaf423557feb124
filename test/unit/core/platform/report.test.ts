import { describe, expect, it } from 'vitest';
import {
  csvCell,
  reportToCsv,
  summariseIssues,
  toReportIssues,
} from '../../../../lambdas/core/report';

describe('report CSV', () => {
  it('neutralises values a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+44')).toBe("'+44");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
  });

  it('lists the rejection first and then every issue by row', () => {
    const issues = toReportIssues(
      [
        {
          row: 3,
          pathwayId: 'P3',
          code: 'NHS_NUMBER_INVALID',
          field: 'nhs_number',
          message: 'bad check digit',
        },
      ],
      'error',
      () => 'Check the NHS number',
    );
    const csv = reportToCsv({
      submissionId: 's',
      trust: 'RF4',
      dataset: 'cwt',
      period: '2025-06',
      fileName: 'f.csv',
      status: 'REJECTED',
      generatedAt: '2025-07-01T00:00:00Z',
      file: { format: 'csv', encoding: 'utf-8', unknownColumns: [] },
      counts: { total: 1, valid: 0, invalid: 1 },
      rejection: { code: 'TOO_MANY_INVALID_RECORDS', message: 'all invalid', hint: 'fix' },
      summary: summariseIssues(issues),
      issues,
    });
    expect(csv.split('\r\n')).toEqual([
      'row,pathway_id,severity,code,field,value,message,hint',
      ',,error,TOO_MANY_INVALID_RECORDS,,,all invalid,fix',
      '3,P3,error,NHS_NUMBER_INVALID,nhs_number,,bad check digit,Check the NHS number',
      '',
    ]);
  });

  it('summarises by code, most frequent first', () => {
    const issues = toReportIssues(
      [
        { row: 2, pathwayId: 'a', code: 'B', field: null, message: '' },
        { row: 3, pathwayId: 'b', code: 'A', field: null, message: '' },
        { row: 4, pathwayId: 'c', code: 'A', field: null, message: '' },
      ],
      'error',
      () => '',
    );
    expect(summariseIssues(issues)).toEqual([
      { code: 'A', severity: 'error', count: 2 },
      { code: 'B', severity: 'error', count: 1 },
    ]);
  });
});
