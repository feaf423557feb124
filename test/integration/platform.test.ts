import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildXlsx } from '../unit/core/parse/xlsx-fixture';
import { figure, startTestPlatform, type TestPlatform } from './support/platform';

/**
 * End to end through the local runtime: upload through the S3 API → the synthesized state
 * machine → DynamoDB → the report API. Expected figures are worked out by hand from
 * test/fixtures/cwt/*.csv (the derivations are in the comments), never read back from the code.
 */
const P = '2025-06';
let platform: TestPlatform;
let rf4First: string;

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

const perf = (standard: string, extra = '') =>
  platform.api(`/performance?standard=${standard}&from=${P}&to=${P}${extra}`);

describe('a trust upload flows to performance figures', () => {
  it('answers /health without a token', async () => {
    const response = await platform.api('/health', null);
    expect(response).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('accepts the RF4 file, reporting the invalid record by row and pathway id', async () => {
    rf4First = await platform.uploadFixture('RF4', P, 'rf4-2025-06-golden.csv');
    const { status, body } = await platform.api(`/submissions/${rf4First}`);
    expect(status).toBe(200);
    // 17 data rows; F8 (data row 7 → file row 8) has NHS number 1234567890, which fails Modulus 11
    expect(body).toMatchObject({
      id: rf4First,
      trust: 'RF4',
      dataset: 'cwt',
      period: P,
      status: 'ACCEPTED',
      counts: { total: 17, valid: 16, invalid: 1 },
      current: true,
    });
    expect(body.firstErrors).toEqual([
      expect.objectContaining({ row: 8, pathwayId: 'F8', codes: ['NHS_NUMBER_INVALID'] }),
    ]);
    // T8 records a decision to treat after the treatment date: a warning, not an error
    expect(body.warnings.byCode.map((w: { code: string }) => w.code)).toContain(
      'DTT_AFTER_TREATMENT',
    );
    expect(body.report.json).toContain(`reports/${rf4First}/report.json`);
  });

  it('computes FDS by the trust where the pathway ended', async () => {
    // June FDS stops: F1 06-01→06-29 = 28 within; F2 05-31→06-29 = 29 breach; F3 8 within;
    // F4 05-25→06-26 = 32 − 5 first-seen adjustment = 27 within; F9 stops at the DTT 06-10:
    // 05-20→06-10 = 21 within. F5 is end reason 03 (excluded), F6 stopped in May, F8 invalid.
    // F10 ended at R1H02 → counts for R1H (10 days, within). T* pathways' FDS ended before June.
    const { status, body } = await perf('fds');
    expect(status).toBe(200);
    expect(body).toMatchObject({ standard: 'fds', from: P, to: P, by: null });
    expect(figure(body, P, 'RF4')).toEqual([4, 5]);
    expect(figure(body, P, 'R1H')).toEqual([1, 1]);
    expect(figure(body, P, 'ALL')).toEqual([5, 6]);
    const rf4 = body.rows.find((r: { trust: string }) => r.trust === 'RF4');
    expect(rf4).toMatchObject({ performance: 0.8, target: 0.75, meetsTarget: true });
  });

  it('computes 31-day from decision to treat, by the treating trust', async () => {
    // T1 05-30→06-30 = 31 within; T2 2 within; T3 (subsequent) 05-01→06-05 = 35 breach;
    // T4 modality 98 excluded; T5 05-10→06-20 = 41 − 10 adjustment = 31 within; T6 15 within;
    // T8 DTT after treatment → start = treatment → 0 within; T7 treated at R1H01 → R1H, 11 within.
    const { body } = await perf('31d');
    expect(figure(body, P, 'RF4')).toEqual([5, 6]);
    expect(figure(body, P, 'R1H')).toEqual([1, 1]);
    expect(figure(body, P, 'ALL')).toEqual([6, 7]);
  });

  it('computes 62-day from referral (or upgrade) to first treatment', async () => {
    // T1 05-01→06-30 = 60 within; T2 04-01→06-03 = 63 breach; T5 04-10→06-20 = 71 − 10 = 61
    // within; T6 upgrade 05-01→06-30 = 60 within (no first-seen adjustment for upgrades);
    // T8 05-15→06-18 = 34 within; T3 subsequent, T4 98. All five diagnosed and treated at RF4.
    // T7 is an inter-provider transfer (accountable RF4, treated R1H01, transfer 06-02):
    // d62 05-01→06-12 = 42 ✓, d38 05-01→06-02 = 32 ✓, d24 06-02→06-12 = 10 ✓ → scenario 1,
    // 0.5/0.5 within to each trust under the default shared allocation (domain brief §2.4).
    // RF4 = 4 of 5 + 0.5/0.5 = 4.5/5.5; R1H = 0.5/0.5; ALL = 5/6 as before.
    const { body } = await perf('62d');
    expect(figure(body, P, 'RF4')).toEqual([4.5, 5.5]);
    expect(figure(body, P, 'R1H')).toEqual([0.5, 0.5]);
    expect(figure(body, P, 'ALL')).toEqual([5, 6]);
  });

  it('breaks FDS down by national IMD 2025 quintile, suppressing small numbers by default', async () => {
    // Postcode → LSOA 2021 → IMD 2025 (../shared/data): E1 1BB Q1, E9 6SR Q1, IG11 7AA Q1,
    // RM14 1EF Q5, RM7 0AG Q2. RF4 June FDS: Q1 = F1 within, F2 breach, F9 within → 2/3;
    // Q2 = F4 within → 1/1; Q5 = F3 within → 1/1.
    const full = await perf('fds', '&trust=RF4&by=imdQuintile&disclosure=full');
    expect(full.status).toBe(200);
    const rf4 = (group: string) =>
      full.body.rows.find(
        (r: { trust: string; group: unknown }) => r.trust === 'RF4' && String(r.group) === group,
      );
    expect([rf4('1')?.within, rf4('1')?.total]).toEqual([2, 3]);
    expect([rf4('2')?.within, rf4('2')?.total]).toEqual([1, 1]);
    expect([rf4('5')?.within, rf4('5')?.total]).toEqual([1, 1]);

    const suppressed = await perf('fds', '&trust=RF4&by=imdQuintile');
    const q1 = suppressed.body.rows.find(
      (r: { trust: string; group: unknown }) => r.trust === 'RF4' && String(r.group) === '1',
    );
    // 1–7 patients: suppressed, nothing disclosed
    expect(q1).toMatchObject({ within: null, total: null, performance: null, suppressed: true });
  });

  it('lets only alliance staff lift suppression', async () => {
    const response = await platform.api(
      `/performance?standard=fds&from=${P}&to=${P}&trust=RF4&by=sex&disclosure=full`,
      'trust-RF4',
    );
    expect(response.status).toBe(403);
  });
});

describe('access control', () => {
  it('refuses requests without a token', async () => {
    expect((await platform.api(`/performance?standard=fds&from=${P}&to=${P}`, null)).status).toBe(
      401,
    );
    expect((await platform.api('/submissions', null)).status).toBe(401);
  });

  it('keeps a trust to its own data', async () => {
    expect((await perf('fds', '&trust=RF4')).status).toBe(200);
    const other = await platform.api(
      `/performance?standard=fds&from=${P}&to=${P}&trust=RF4`,
      'trust-R1H',
    );
    expect(other.status).toBe(403);
    expect((await platform.api(`/submissions/${rf4First}`, 'trust-R1H')).status).toBe(403);
    expect((await platform.api(`/submissions/${rf4First}`, 'trust-RF4')).status).toBe(200);
    const own = await platform.api('/submissions', 'trust-R1H');
    expect(own.status).toBe(200);
    expect(own.body.submissions.every((s: { trust: string }) => s.trust === 'R1H')).toBe(true);
  });

  it('validates query parameters with a clear 400', async () => {
    const missing = await platform.api(`/performance?from=${P}&to=${P}`);
    expect(missing.status).toBe(400);
    const reversed = await platform.api('/performance?standard=fds&from=2025-07&to=2025-06');
    expect(reversed.status).toBe(400);
    expect(JSON.stringify(reversed.body)).toContain('from');
    expect(
      (await platform.api(`/performance?standard=fds&from=${P}&to=${P}&by=postcode`)).status,
    ).toBe(400);
  });
});

describe('several trusts, supersession and redelivery', () => {
  it('adds another trust’s submission without disturbing the first', async () => {
    // R1H's own file: R1 06-01→06-11 = 10 within; R2 05-10→06-19 = 40 breach → 1/2, plus F10
    // from RF4's file (ended at R1H) → R1H 2/3; alliance 4/5 + 2/3 = 6/8.
    await platform.uploadFixture('R1H', P, 'r1h-2025-06-golden.csv');
    const { body } = await perf('fds');
    expect(figure(body, P, 'R1H')).toEqual([2, 3]);
    expect(figure(body, P, 'RF4')).toEqual([4, 5]);
    expect(figure(body, P, 'ALL')).toEqual([6, 8]);
  });

  it('replaces, never adds to, a trust’s figures when it uploads the period again', async () => {
    // The resubmission holds only F1 (within) and F2 (breach): RF4 1/2. F10 and T7 went with the
    // superseded file, so R1H is back to its own 1/2 and has no 31-day figure; alliance 2/4.
    const second = await platform.uploadFixture('RF4', P, 'rf4-2025-06-resubmission.csv');
    const fds = (await perf('fds')).body;
    expect(figure(fds, P, 'RF4')).toEqual([1, 2]);
    expect(figure(fds, P, 'R1H')).toEqual([1, 2]);
    expect(figure(fds, P, 'ALL')).toEqual([2, 4]);
    expect(figure((await perf('31d')).body, P, 'R1H')).toBeNull();

    const first = (await platform.api(`/submissions/${rf4First}`)).body;
    expect(first).toMatchObject({ status: 'ACCEPTED', current: false, supersededBy: second });
    expect((await platform.api(`/submissions/${second}`)).body).toMatchObject({
      current: true,
      supersedes: rf4First,
    });
  });

  it('ignores redelivered events: figures and alerts do not change', async () => {
    const before = JSON.stringify((await perf('fds')).body);
    const alertsBefore = platform.alerts().length;
    // EventBridge delivers at least once: the same Object Created event, five more times.
    await platform.redeliver(`uploads/RF4/cwt/${P}/rf4-2025-06-resubmission.csv`, 5);
    expect(JSON.stringify((await perf('fds')).body)).toBe(before);
    expect(platform.alerts().length).toBe(alertsBefore);
  });
});

describe('rejected files', () => {
  it('quarantines a file without the required columns, with a report and a notification', async () => {
    const before = JSON.stringify((await perf('fds')).body);
    const id = await platform.upload('RF4', P, 'broken.csv', 'a,b\n1,2\n');
    const { body } = await platform.api(`/submissions/${id}`);
    expect(body).toMatchObject({
      status: 'REJECTED',
      rejection: { code: 'HEADER_MISSING_REQUIRED' },
    });
    expect(body.rejection.message).toContain('nhs_number');
    expect(await platform.listKeys(`uploads/RF4/cwt/${P}/broken.csv`)).toEqual([]);
    expect(await platform.listKeys(`quarantine/RF4/${P}/${id}/`)).toEqual(
      expect.arrayContaining([
        `quarantine/RF4/${P}/${id}/broken.csv`,
        `quarantine/RF4/${P}/${id}/reason.json`,
      ]),
    );
    expect(await platform.listKeys(`reports/${id}/`)).toHaveLength(2);
    expect(
      platform
        .alerts()
        .some((a) => a.message?.type === 'submission-rejected' && a.message?.submissionId === id),
    ).toBe(true);
    expect(JSON.stringify((await perf('fds')).body)).toBe(before);
  });

  it('rejects a file where more than half the records are invalid', async () => {
    // X1 fails Modulus 11, X2 is all one digit, X3 is valid: 2 of 3 invalid (67% > 50%)
    const id = await platform.uploadFixture('RF4', P, 'rf4-2025-06-mostly-invalid.csv');
    const { body } = await platform.api(`/submissions/${id}`);
    expect(body).toMatchObject({
      status: 'REJECTED',
      counts: { total: 3, valid: 1, invalid: 2 },
      rejection: { code: 'TOO_MANY_INVALID_RECORDS' },
    });
  });

  it('rejects an upload for a trust outside the alliance', async () => {
    const id = await platform.uploadFixture('RXX', P, 'r1h-2025-06-golden.csv');
    const { body } = await platform.api(`/submissions/${id}`);
    expect(body).toMatchObject({ status: 'REJECTED', rejection: { code: 'TRUST_UNKNOWN' } });
    expect((await platform.api(`/submissions/${id}`, 'trust-RF4')).status).toBe(403);
  });
});

describe('alerts and patient data', () => {
  it('announces each standard breach once', async () => {
    const breaches = platform.alerts().filter((a) => a.message?.type === 'standard-breach');
    // The first RF4 file gave 62-day 4.5/5.5 = 81.8% < 85% (shared allocation: T7 split 0.5/0.5
    // with R1H) and 31-day 5/6 = 83.3% < 96%.
    const rf4Sixty = breaches.filter(
      (a) => a.message.trust === 'RF4' && a.message.standard === '62d',
    );
    expect(rf4Sixty.length).toBeGreaterThanOrEqual(1);
    expect(rf4Sixty[0]?.message).toMatchObject({
      period: P,
      within: 4.5,
      total: 5.5,
      threshold: 0.85,
    });
    // Each breach is announced once per standard, trust and period, however many uploads,
    // supersessions and redeliveries moved its figures afterwards.
    const keys = breaches.map(
      (a) => `${a.message.standard}|${a.message.trust}|${a.message.period}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps NHS numbers, postcodes and dates of birth out of DynamoDB, alerts and API responses', async () => {
    const stored = await platform.scanTables();
    const alerts = JSON.stringify(platform.alerts());
    const api = JSON.stringify([
      (await perf('fds', '&by=imdQuintile&disclosure=full')).body,
      (await platform.api('/submissions')).body,
    ]);
    for (const text of [stored, alerts, api]) {
      expect(text).not.toMatch(/999\d{7}/); // the fixtures' NHS numbers are all 999…
      expect(text).not.toContain('1234567890');
      expect(text).not.toMatch(
        /\b(E1 1BB|E9 6SR|RM14 1EF|RM7 0AG|IG11 7AA|IG3 8YB|E11 1NR|E13 8SL)\b/,
      );
      expect(text).not.toContain('1960-03-15');
    }
  });
});

describe('spreadsheet uploads', () => {
  it('accepts an XLSX export with real date cells and numeric NHS numbers', async () => {
    // Two RQX FDS pathways: Q1 06-01→06-11 = 10 days within; Q2 05-01→06-11 = 41 days breach.
    const serial = (iso: string) => (Date.parse(iso) - Date.UTC(1899, 11, 30)) / 86_400_000;
    const header = [
      'pathway_id',
      'nhs_number',
      'priority_type',
      'source_of_referral',
      'cancer_referral_type',
      'referral_received_date',
      'fds_end_date',
      'fds_end_reason',
      'org_fds_end',
    ];
    const records = [
      ['Q1', 9990000018, 3, 3, 2, '2025-06-01', '2025-06-11', 2, 'RQX01'],
      ['Q2', 9990000026, 3, 3, 2, '2025-05-01', '2025-06-11', 2, 'RQX01'],
    ] as const;
    const cell = (ref: string, value: string | number, isDate = false) =>
      typeof value === 'number'
        ? `<c r="${ref}"><v>${value}</v></c>`
        : isDate
          ? `<c r="${ref}" s="1"><v>${serial(value)}</v></c>`
          : `<c r="${ref}" t="inlineStr"><is><t>${value}</t></is></c>`;
    const letters = 'ABCDEFGHI';
    const rows = [
      `<row r="1">${header.map((h, i) => cell(`${letters[i]}1`, h)).join('')}</row>`,
      ...records.map(
        (record, r) =>
          `<row r="${r + 2}">${record.map((v, i) => cell(`${letters[i]}${r + 2}`, v, i === 5 || i === 6)).join('')}</row>`,
      ),
    ].join('');
    const workbook = buildXlsx({ sheets: [{ name: 'CWT', rows }], cellXfs: [0, 14] });

    const id = await platform.upload('RQX', P, 'homerton-june.xlsx', workbook);
    const { body } = await platform.api(`/submissions/${id}`);
    expect(body).toMatchObject({ status: 'ACCEPTED', counts: { total: 2, valid: 2, invalid: 0 } });
    expect(figure((await perf('fds')).body, P, 'RQX')).toEqual([1, 2]);
  });
});
