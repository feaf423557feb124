import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntakeLimitsSchema } from '../../lambdas/core/config';
import { figure, startTestPlatform, type TestPlatform } from './support/platform';

/**
 * Per-trust intake settings end to end: RF4 is configured (test override only; the NEL file
 * assigns no mapping) for the SCR-style example mapping and DD-MMM-YYYY dates, R1H keeps the
 * upload contract. Both send the same five pathways, RF4 in its export's headers and dates, R1H
 * in contract form, so their figures must be equal. A small maxRows (5) then rejects a sixth row.
 */
const P = '2025-06';
const MAX_ROWS = 5;
/** Well above the ~1 KB test files, well below the padded one. */
const MAX_FILE_BYTES = 4096;
let platform: TestPlatform;

/**
 * The five pathways as [id, NHS number, referral, FDS end, DTT, treatment] (ISO), all with FDS
 * end reason 02 and, for E, a first treatment of a C34.1 cancer (event 01, modality 23). NHS numbers
 * pass Modulus 11.
 */
type Pathway = readonly [string, string, string, string, string, string];
const PATHWAYS: readonly Pathway[] = [
  ['A', '9990000018', '2025-06-01', '2025-06-20', '', ''],
  ['B', '9990000026', '2025-05-02', '2025-06-10', '', ''],
  ['C', '9990000034', '2025-06-03', '2025-06-30', '', ''],
  ['D', '9990000042', '2025-05-15', '2025-06-12', '', ''],
  ['E', '9990000077', '2025-05-01', '2025-05-20', '2025-05-30', '2025-06-20'],
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `2025-06-01` → `01-Jun-2025`, RF4's export layout. */
function scrDate(iso: string): string {
  if (iso === '') return '';
  const [year, month, day] = iso.split('-');
  return `${day}-${MONTHS[Number(month) - 1]}-${year}`;
}

/** RF4's file: SCR-style headers (columns the example mapping leaves out keep contract names). */
function scrFile(rows: readonly Pathway[]): string {
  const header =
    'PPI,NHS No,DOB,Priority,source_of_referral,cancer_referral_type,Date Referral Received,' +
    'FDS Date,FDS Outcome,FDS Org,primary_diagnosis_icd10,DTT Date,Treatment Date,treatment_event_type,' +
    'Modality,Treatment Org';
  const lines = rows.map(([id, nhs, referral, fds, dtt, treatment]) =>
    [
      `F${id}`,
      nhs,
      scrDate('1960-03-15'),
      '3',
      '03',
      '02',
      scrDate(referral),
      scrDate(fds),
      '02',
      'RF401',
      treatment ? 'C34.1' : '',
      scrDate(dtt),
      scrDate(treatment),
      treatment ? '01' : '',
      treatment ? '23' : '',
      treatment ? 'RF401' : '',
    ].join(','),
  );
  return `${[header, ...lines].join('\r\n')}\r\n`;
}

/** R1H's file: the same pathways in the upload contract's names and ISO dates. */
function contractFile(rows: readonly Pathway[]): string {
  const header =
    'pathway_id,nhs_number,date_of_birth,priority_type,source_of_referral,cancer_referral_type,' +
    'referral_received_date,fds_end_date,fds_end_reason,org_fds_end,primary_diagnosis_icd10,' +
    'decision_to_treat_date,treatment_start_date,treatment_event_type,treatment_modality,' +
    'org_treatment_start';
  const lines = rows.map(([id, nhs, referral, fds, dtt, treatment]) =>
    [
      `F${id}`,
      nhs,
      '1960-03-15',
      '3',
      '03',
      '02',
      referral,
      fds,
      '02',
      'R1H01',
      treatment ? 'C34.1' : '',
      dtt,
      treatment,
      treatment ? '01' : '',
      treatment ? '23' : '',
      treatment ? 'R1H01' : '',
    ].join(','),
  );
  return `${[header, ...lines].join('\n')}\n`;
}

const perf = (standard: string) =>
  platform.api(`/performance?standard=${standard}&from=${P}&to=${P}`);

beforeAll(async () => {
  platform = await startTestPlatform({
    intake: { RF4: { mapping: 'scr', dateFormats: ['DD-MMM-YYYY'] } },
    rules: {
      limits: { ...IntakeLimitsSchema.parse({}), maxRows: MAX_ROWS, maxFileBytes: MAX_FILE_BYTES },
    },
  });
}, 300_000);
afterAll(async () => {
  await platform?.stop();
});

describe('a trust configured with a column mapping and its date layout', () => {
  let scrSubmission: string;

  it('accepts the SCR-style file with DD-MMM-YYYY dates and every row valid', async () => {
    // Act
    scrSubmission = await platform.upload('RF4', P, 'scr-export.csv', scrFile(PATHWAYS));
    const contract = await platform.upload('R1H', P, 'contract.csv', contractFile(PATHWAYS));

    // Assess
    for (const id of [scrSubmission, contract]) {
      const { body } = await platform.api(`/submissions/${id}`);
      expect(body).toMatchObject({
        status: 'ACCEPTED',
        counts: { total: 5, valid: 5, invalid: 0 },
      });
    }
  });

  it('gives the same figures as the same pathways in contract form', async () => {
    // FDS stops in June: A 06-01→06-20 = 19 within; B 05-02→06-10 = 29 + 10 = 39 breach;
    // C 06-03→06-30 = 27 within; D 05-15→06-12 = 16 + 12 = 28 within (28 is within).
    // E's FDS ended in May. → 3 of 4 for each trust, 6 of 8 for the alliance.
    const fds = (await perf('fds')).body;
    expect(figure(fds, P, 'RF4')).toEqual([3, 4]);
    expect(figure(fds, P, 'R1H')).toEqual([3, 4]);
    expect(figure(fds, P, 'ALL')).toEqual([6, 8]);
    // 31-day: E 05-30 → 06-20 = 21 days within 31 → 1 of 1 each.
    const d31 = (await perf('31d')).body;
    expect(figure(d31, P, 'RF4')).toEqual([1, 1]);
    expect(figure(d31, P, 'R1H')).toEqual([1, 1]);
  });

  it('names the mapping, the headers it applied and the date formats in the report', async () => {
    // Act
    const { status, body } = await platform.api(`/submissions/${scrSubmission}/report`);

    // Assess
    expect(status).toBe(200);
    expect(body.file).toMatchObject({
      format: 'csv',
      mapping: { id: 'scr', name: platform.config.columnMappings.scr?.name },
      dateFormats: ['DD-MMM-YYYY'],
      unknownColumns: [],
    });
    // 16 header cells, 4 of them contract names (not "mapped") → 12 mapped headers
    expect(body.file.mappedColumns).toHaveLength(12);
    expect(body.file.mappedColumns).toContainEqual({ header: 'PPI', column: 'pathway_id' });
    expect(body.file.mappedColumns).toContainEqual({
      header: 'Date Referral Received',
      column: 'referral_received_date',
    });
  });

  it(`rejects a file over maxRows (${MAX_ROWS}) with TOO_MANY_ROWS and leaves figures alone`, async () => {
    // Prepare: a sixth pathway, F, a copy of A under another id
    const before = await Promise.all([perf('fds'), perf('31d')]);
    const six: Pathway[] = [...PATHWAYS, ['F', '9990000018', '2025-06-01', '2025-06-20', '', '']];

    // Act
    const id = await platform.upload('RF4', P, 'too-long.csv', scrFile(six));

    // Assess: header is row 1, so the sixth data row is file row 7
    const { body } = await platform.api(`/submissions/${id}`);
    expect(body).toMatchObject({ status: 'REJECTED', rejection: { code: 'TOO_MANY_ROWS' } });
    const report = (await platform.api(`/submissions/${id}/report`)).body;
    expect(report.rejection).toMatchObject({
      code: 'TOO_MANY_ROWS',
      message: 'The file has more than 5 data rows (row 7 is over the limit)',
    });
    const after = await Promise.all([perf('fds'), perf('31d')]);
    expect(after.map((r) => r.body)).toEqual(before.map((r) => r.body));
  });

  it('rejects a file over maxFileBytes with FILE_TOO_LARGE before reading it', async () => {
    // Prepare: the five rows plus 3000 blank lines (2 bytes each) → over 6000 bytes > 4096
    const padded = scrFile(PATHWAYS) + '\r\n'.repeat(3000);
    const size = new TextEncoder().encode(padded).length;
    expect(size).toBeGreaterThan(MAX_FILE_BYTES);
    const before = (await perf('fds')).body;

    // Act
    const id = await platform.upload('RF4', P, 'padded.csv', padded);

    // Assess: the size comes from S3, so the message gives it exactly; 4096 bytes = 4 KiB
    const { body } = await platform.api(`/submissions/${id}`);
    expect(body).toMatchObject({ status: 'REJECTED', rejection: { code: 'FILE_TOO_LARGE' } });
    const report = (await platform.api(`/submissions/${id}/report`)).body;
    expect(report.rejection.message).toContain(`at least ${size} bytes`);
    expect(report.rejection.message).toContain('the limit is 4096 bytes (4 KiB)');
    expect(report.counts).toEqual({ total: 0, valid: 0, invalid: 0 });
    expect((await perf('fds')).body).toEqual(before);
  });
});
