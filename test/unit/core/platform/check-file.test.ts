import { describe, expect, it } from 'vitest';
import { checkFile, type FileSubmission } from '../../../../lambdas/core/check-file';
import { RulesSchema } from '../../../../lambdas/core/config';
import type { PathwayRecord } from '../../../../lambdas/core/record';

const RULES = RulesSchema.parse({});
const TRUSTS = [{ ods: 'RF4' }];
const SUBMISSION: FileSubmission = {
  submissionId: 'dry-run',
  trust: 'RF4',
  dataset: 'cwt',
  period: '2025-06',
  fileName: 'f.csv',
  keyProblem: null,
};
const HEADER = 'pathway_id,nhs_number,priority_type,referral_received_date,source_of_referral';

async function check(text: string, submission = SUBMISSION) {
  const records: PathwayRecord[] = [];
  const result = await checkFile(
    submission,
    async () => ({ bytes: new TextEncoder().encode(text), fileName: submission.fileName }),
    {
      rules: RULES,
      trusts: TRUSTS,
      chunkRows: 10,
      sink: async (_index, chunk) => {
        records.push(...chunk);
      },
      now: () => new Date('2025-07-01T00:00:00Z'),
    },
  );
  return { ...result, records };
}

describe('checkFile', () => {
  it('accepts a file at exactly half invalid, echoing the bad code but not the NHS number', async () => {
    // Prepare: 3914177764 passes Modulus 11; 1234567890 fails it (check digit 10 → invalid).
    // Row 3 also has source_of_referral "ZZ", which is no referral source code.
    const text = [HEADER, 'P1,3914177764,3,2025-06-01,', 'P2,1234567890,3,2025-06-02,ZZ', ''].join(
      '\n',
    );

    // Act
    const { report, records } = await check(text);

    // Assess: 1 of 2 invalid = 50%, not more than the 50% rule → accepted
    expect(report.status).toBe('ACCEPTED');
    expect(report.counts).toEqual({ total: 2, valid: 1, invalid: 1 });
    expect(records.map((r) => r.pathwayId)).toEqual(['P1']);
    const values = new Map(report.issues.map((i) => [i.field, i.value]));
    expect(values.get('nhs_number')).toBeNull();
    expect(values.get('source_of_referral')).toBe('ZZ');
  });

  it('rejects a trust outside the alliance before reading the file', async () => {
    // Act
    const { report, summary } = await check(`${HEADER}\n`, { ...SUBMISSION, trust: 'ZZZ' });

    // Assess
    expect(report.status).toBe('REJECTED');
    expect(report.rejection?.code).toBe('TRUST_UNKNOWN');
    expect(summary).toBeNull();
  });

  it('turns an unreadable file into a rejection with the parser code', async () => {
    // Act: an empty body
    const { report } = await check('');

    // Assess
    expect(report.rejection?.code).toBe('FILE_EMPTY');
    expect(report.counts).toEqual({ total: 0, valid: 0, invalid: 0 });
  });

  it('names the required columns a header lacks', async () => {
    // Act
    const { report } = await check('pathway_id,nhs_number\nP1,3914177764\n');

    // Assess
    expect(report.rejection).toMatchObject({
      code: 'HEADER_MISSING_REQUIRED',
      message: 'Required columns are missing: priority_type, referral_received_date.',
    });
  });
});
