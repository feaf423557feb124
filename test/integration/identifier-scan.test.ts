import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIMENSIONS } from '../../lambdas/core/enriched';
import { ERROR_CATALOGUE } from '../../lambdas/core/validate';
import { localDynamoClient, localS3Client } from '../../lib/local/clients';
import { issueToken } from '../../lib/local/tokens';
import { cwtFile, ETHNICITY, fdsFile, POSTCODES } from '../fixtures/alerts/cwt-files';
import {
  type Finding,
  identifiersInCsv,
  isModulus11Valid,
  type KnownIdentifiers,
  scanForIdentifiers,
} from './support/identifiers';
import { FIXTURES, startTestPlatform, type TestPlatform } from './support/platform';
import { templateRoutes } from './support/routes';

/**
 * Issue 4 §5: after an end-to-end run, no NHS number, postcode or date of birth from the
 * uploaded files is anywhere but the bucket's uploads/, quarantine/ and staging/ prefixes — not
 * in any DynamoDB item, any log line (handlers at DEBUG, every write to stdout/stderr and the
 * console captured), any alert, any API response, or any report under reports/.
 *
 * The run: accepted uploads for both trusts over four months (open pathways, transfers), one
 * rejected file, one file whose invalid rows carry NHS numbers and postcodes in the wrong
 * columns, a breach and inequality gaps that publish alerts, a funding allocation, a dry run,
 * and a request to every route of the synthesized template (reports as JSON and CSV included).
 */

/** A valid NHS number: nine digits and their Modulus 11 check digit (10 → next serial). */
function nhsNumber(prefix: string, serial: number): string {
  for (let n = serial; ; n += 1) {
    const nine = `${prefix}${String(n).padStart(9 - prefix.length, '0')}`;
    const sum = [...nine].reduce((total, digit, i) => total + Number(digit) * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return `${nine}${check}`;
  }
}

/** Identifiers planted in the wrong columns of invalid rows; 4… as real English numbers are. */
const PLANTED = {
  inPostcode: nhsNumber('401', 1001),
  badCheckDigit: nhsNumber('401', 2002),
  inReferralDate: nhsNumber('401', 3003),
  spacedInSourceOfReferral: nhsNumber('401', 4004),
  asPathwayId: nhsNumber('401', 5005),
  ownNumbers: Array.from({ length: 8 }, (_, i) => nhsNumber('402', 100 * (i + 1))),
};

/** Distinct dates of birth, every other one written DD/MM/YYYY, none later than 1994. */
function dateOfBirth(seed: number, i: number): string {
  const year = 1930 + ((seed + i * 7) % 65);
  const month = String(1 + ((seed + i * 5) % 12)).padStart(2, '0');
  const day = String(1 + ((seed + i * 11) % 28)).padStart(2, '0');
  return i % 2 === 0 ? `${year}-${month}-${day}` : `${day}/${month}/${year}`;
}

function table(csv: string): { header: string[]; rows: string[][] } {
  const [header = '', ...rows] = csv.trimEnd().split('\n');
  return { header: header.split(','), rows: rows.map((row) => row.split(',')) };
}

function csvOf(header: string[], rows: string[][]): string {
  return `${[header, ...rows].map((row) => row.join(',')).join('\n')}\n`;
}

/** The file's rows with a distinct date of birth each. */
function withDatesOfBirth(csv: string, seed: number): string {
  const { header, rows } = table(csv);
  const dob = header.indexOf('date_of_birth');
  return csvOf(
    header,
    rows.map((row, i) => row.map((cell, c) => (c === dob ? dateOfBirth(seed, i) : cell))),
  );
}

/**
 * R1H, July 2025: 10 FDS pathways, 3 within 28 days (30%, below the standard: a breach alert
 * for R1H and the alliance), and 7 invalid rows, each a copy of a valid row with one change
 * that puts an identifier where it does not belong. 7 of 17 invalid (41%) stays under the 50%
 * rejection threshold, so the file is accepted and the report lists them.
 */
function r1hJulyFile(): string {
  const { header, rows } = table(withDatesOfBirth(fdsFile('R1H', '2025-07', 3, 10), 11));
  const col = (name: string) => header.indexOf(name);
  const template = rows[0] ?? [];
  const variant = (id: string, own: number, changes: Record<string, string>): string[] => {
    const row = [...template];
    row[col('pathway_id')] = id;
    row[col('nhs_number')] = PLANTED.ownNumbers[own] ?? '';
    row[col('date_of_birth')] = dateOfBirth(97, own);
    for (const [name, value] of Object.entries(changes)) row[col(name)] = value;
    return row;
  };
  const spaced = PLANTED.spacedInSourceOfReferral.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3');
  return csvOf(header, [
    ...rows,
    // NHS number and postcode swapped: NHS_NUMBER_INVALID, POSTCODE_INVALID
    variant('BAD-SWAP', 0, { nhs_number: 'E9 6SR', postcode: PLANTED.inPostcode }),
    // a wrong check digit: NHS_NUMBER_INVALID
    variant('BAD-CHECK', 1, {
      nhs_number: `${PLANTED.badCheckDigit.slice(0, 9)}${(Number(PLANTED.badCheckDigit[9]) + 1) % 10}`,
    }),
    // an NHS number in a date column: DATE_INVALID
    variant('BAD-DATE', 2, { referral_received_date: PLANTED.inReferralDate }),
    // a postcode in a code column: CODE_INVALID
    variant('BAD-CODE', 3, { priority_type: POSTCODES.quintile2 }),
    // a spaced NHS number in another code column: CODE_INVALID
    variant('BAD-SPACED', 4, { source_of_referral: spaced }),
    // a date of birth that does not exist: DATE_INVALID
    variant('BAD-DOB', 5, { date_of_birth: '31/02/1941' }),
    // the NHS number as the pathway id, on a row with a bad code
    variant(PLANTED.asPathwayId, 6, { priority_type: '9' }),
  ]);
}

/**
 * RF4, July 2025: 20 patients in IMD quintile 1 (E1 1BB), Black, 12 within (60%); 20 in
 * quintile 5 (RM14 1EF), White, 19 within (95%): two inequality gaps of 35 points with 20
 * patients a side (≥ the default 10 points and 20 patients), for RF4 and the alliance.
 */
function rf4JulyFile(): string {
  return withDatesOfBirth(
    cwtFile('RF4', '2025-07', {
      fds: [
        { within: 12, total: 20, postcode: POSTCODES.quintile1, ethnicity: ETHNICITY.black },
        { within: 19, total: 20, postcode: POSTCODES.quintile5, ethnicity: ETHNICITY.white },
      ],
    }),
    29,
  );
}

const FIXTURE_UPLOADS = [
  ['RF4', '2025-06', 'rf4-2025-06-golden.csv'],
  // rejected: TOO_MANY_INVALID_RECORDS (quarantined)
  ['RF4', '2025-06', 'rf4-2025-06-mostly-invalid.csv'],
  ['R1H', '2025-06', 'r1h-2025-06-golden.csv'],
  ['R1H', '2025-09', 'r1h-2025-09-transfers.csv'],
  ['RF4', '2025-09', 'rf4-2025-09-solo.csv'],
  ['R1H', '2025-10', 'r1h-2025-10-open-pathways.csv'],
  ['RF4', '2025-10', 'rf4-2025-10-open-pathways.csv'],
] as const;

/** Every line written to stdout, stderr or the console while the platform ran. */
const captured: string[] = [];
const runtimeLog: string[] = [];
const responses: Array<{ request: string; status: number; text: string }> = [];
const submissions: Array<{ id: string; trust: string; fileName: string }> = [];
let platform: TestPlatform;
let known: KnownIdentifiers;
let r1hJuly: string;
let restoreOutput: () => void = () => {};

/**
 * Swaps stdout/stderr writes and the console methods for recorders. Powertools' Logger writes
 * through its own Console bound to process.stdout/stderr, so patching the streams' `write`
 * catches it as well as anything else; nothing is passed through (DEBUG is noisy).
 */
function captureOutput(): () => void {
  const record = (chunk: unknown) =>
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      record(chunk);
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const consoles = methods.map((method) => console[method]);
  for (const method of methods) {
    console[method] = (...args: unknown[]) => record(format(...args));
  }
  return () => {
    streams.forEach((stream, i) => {
      stream.write = writes[i] as typeof stream.write;
    });
    methods.forEach((method, i) => {
      console[method] = consoles[i] as (typeof console)[typeof method];
    });
  };
}

async function call(
  method: string,
  path: string,
  options: { group?: string; body?: string; contentType?: string } = {},
): Promise<{ status: number; text: string }> {
  const token = await issueToken(platform.dataDir, { group: options.group ?? 'alliance' });
  const response = await fetch(`${platform.runtime.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.text();
  responses.push({
    request: `${method} ${path} as ${options.group ?? 'alliance'}`,
    status: response.status,
    text,
  });
  return { status: response.status, text };
}

const get = (path: string, group?: string) => call('GET', path, group ? { group } : {});

/** Every route's template name a request was made for (`GET /submissions/{id}`, …). */
const requested = new Set<string>();

beforeAll(async () => {
  restoreOutput = captureOutput();
  try {
    platform = await startTestPlatform({ logLevel: 'DEBUG', log: (line) => runtimeLog.push(line) });
    r1hJuly = r1hJulyFile();
    const rf4July = rf4JulyFile();
    const fixtureTexts: string[] = [];
    for (const [trust, period, fixture] of FIXTURE_UPLOADS) {
      fixtureTexts.push(readFileSync(join(FIXTURES, fixture), 'utf8'));
      submissions.push({
        id: await platform.uploadFixture(trust, period, fixture),
        trust,
        fileName: fixture,
      });
    }
    submissions.push({
      id: await platform.upload('R1H', '2025-07', 'r1h-july.csv', r1hJuly),
      trust: 'R1H',
      fileName: 'r1h-july.csv',
    });
    submissions.push({
      id: await platform.upload('RF4', '2025-07', 'rf4-july.csv', rf4July),
      trust: 'RF4',
      fileName: 'rf4-july.csv',
    });
    known = identifiersInCsv(...fixtureTexts, r1hJuly, rf4July);

    await exerciseEveryRoute();
    await platform.runtime.waitForIdle();
  } finally {
    restoreOutput();
  }
});
afterAll(async () => {
  restoreOutput();
  await platform?.stop();
});

/** The API as its users would call it, then any template route not called yet. */
async function exerciseEveryRoute(): Promise<void> {
  const mark = (name: string) => requested.add(name);
  mark('GET /health');
  await call('GET', '/health');

  // the dry run of the file with identifiers in the wrong columns, by the trust and the alliance
  mark('POST /validate');
  await call('POST', '/validate?trust=R1H&period=2025-07', {
    group: 'trust-R1H',
    body: r1hJuly,
    contentType: 'text/csv',
  });
  await call('POST', '/validate?trust=R1H&period=2025-07&encoding=base64', {
    body: Buffer.from(r1hJuly).toString('base64'),
  });

  mark('GET /submissions');
  await get('/submissions');
  await get('/submissions?trust=RF4', 'trust-RF4');
  for (const { id, trust } of submissions) {
    mark('GET /submissions/{id}');
    mark('GET /submissions/{id}/report');
    await get(`/submissions/${id}`);
    await get(`/submissions/${id}/report`, `trust-${trust}`);
    await get(`/submissions/${id}/report?format=csv`);
  }

  mark('GET /performance');
  for (const standard of ['fds', '31d', '62d', '38d', '24d']) {
    await get(`/performance?standard=${standard}&from=2025-06&to=2025-10`);
  }
  await get('/performance?standard=62d&allocation=treating&from=2025-09&to=2025-09');
  // every breakdown but the 31-day-only modality groups
  for (const by of DIMENSIONS.filter((dimension) => dimension !== 'modality')) {
    await get(`/performance?standard=fds&from=2025-06&to=2025-07&by=${by}&disclosure=full`);
    await get(`/performance?standard=fds&from=2025-06&to=2025-07&by=${by}`, 'trust-R1H');
  }
  await get('/performance?standard=31d&from=2025-06&to=2025-10&by=modality');

  mark('GET /backlog');
  for (const by of ['', '&by=imdQuintile&disclosure=full', '&by=ageBand']) {
    await get(`/backlog?period=2025-10${by}`);
  }
  mark('GET /performance/series');
  await get('/performance/series?standard=fds&from=2025-06&to=2025-10');
  await get('/performance/series?standard=fds&from=2025-06&to=2025-10&trust=R1H', 'trust-R1H');
  mark('GET /alerts');
  await get('/alerts?from=2025-06&to=2025-10');
  await get('/alerts?from=2025-06&to=2025-10', 'trust-RF4');

  mark('POST /funding/allocations');
  const allocation = await call('POST', '/funding/allocations', {
    body: JSON.stringify({
      budget: 500_000,
      unit: 'place',
      window: { from: '2025-06', to: '2025-07' },
      weights: { need: 0.5, gap: 0.3, equal: 0.2 },
    }),
    contentType: 'application/json',
  });
  mark('GET /funding/allocations/{id}');
  await get(`/funding/allocations/${JSON.parse(allocation.text).allocationId}`);

  mark('GET /quality');
  await get('/quality?from=2025-06&to=2025-10');
  await get('/quality?from=2025-06&to=2025-10', 'trust-R1H');
  mark('POST /uploads');
  await call('POST', '/uploads', {
    group: 'trust-R1H',
    body: JSON.stringify({ period: '2025-11', fileName: 'r1h-2025-11.csv', sizeBytes: 2048 }),
    contentType: 'application/json',
  });

  // re-runs July's current submissions through the workflow (more handler logs to scan)
  mark('POST /replay');
  await call('POST', '/replay?period=2025-07');

  // Routes added since this file was written: a best-effort request with every common
  // parameter (the response is scanned whatever its status).
  const generic = 'trust=R1H&period=2025-07&from=2025-06&to=2025-10&standard=fds';
  const r1hId = submissions.find((s) => s.fileName === 'r1h-july.csv')?.id ?? '';
  for (const route of templateRoutes(platform.template, platform.config.region)) {
    if (requested.has(route.name)) continue;
    requested.add(route.name);
    const path = route.resourcePath.replace(/\{[^}]+\}/g, r1hId);
    const body =
      route.httpMethod === 'GET'
        ? {}
        : {
            body: JSON.stringify({
              trust: 'R1H',
              period: '2025-07',
              fileName: 'scan.csv',
              sizeBytes: 10,
              submissionId: r1hId,
            }),
            contentType: 'application/json',
          };
    await call(route.httpMethod, `${path}?${generic}`, body);
    await call(route.httpMethod, `${path}?${generic}`, { ...body, group: 'trust-R1H' });
  }
}

async function dynamoItems(): Promise<{ text: string; perTable: Record<string, number> }> {
  const dynamo = localDynamoClient(platform.runtime);
  const parts: string[] = [];
  const perTable: Record<string, number> = {};
  for (const [logicalId, table] of Object.entries(platform.runtime.tableNames)) {
    let start: Record<string, unknown> | undefined;
    let count = 0;
    do {
      const page = await dynamo.send(
        new ScanCommand({
          TableName: table,
          ...(start ? { ExclusiveStartKey: start as never } : {}),
        }),
      );
      count += page.Items?.length ?? 0;
      parts.push(JSON.stringify(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    perTable[logicalId] = count;
  }
  return { text: parts.join('\n'), perTable };
}

async function objectsUnder(prefix: string): Promise<Array<{ key: string; text: string }>> {
  const s3 = localS3Client(platform.runtime);
  const out: Array<{ key: string; text: string }> = [];
  for (const key of await platform.listKeys(prefix)) {
    const object = await s3.send(new GetObjectCommand({ Bucket: platform.bucket, Key: key }));
    out.push({ key, text: (await object.Body?.transformToString('utf8')) ?? '' });
  }
  return out;
}

/**
 * Fixed texts the platform writes that quote an example identifier: the fix hints of the
 * error catalogue ("… (e.g. E1 1BB) …", a postcode the fixtures also use).
 */
const PLATFORM_TEXTS = ERROR_CATALOGUE.map((entry) => entry.hint);

function scan(text: string): Finding[] {
  return scanForIdentifiers(text, known, PLATFORM_TEXTS);
}

/** Findings, one line each, so a failure says what leaked where. */
function describeFindings(source: string, findings: readonly Finding[]): string[] {
  return findings.map((f) => `${source}: ${f.kind} (${f.match}) ${f.value} … ${f.context}`);
}

describe('the identifier scanner', () => {
  it('finds planted identifiers in every form and ignores clean text (positive control)', () => {
    // Prepare: one known number, postcode and date; another valid number it was not told of
    const knownHere: KnownIdentifiers = {
      nhsNumbers: new Set([PLANTED.ownNumbers[0] ?? '']),
      postcodes: new Set(['E1 1BB']),
      datesOfBirth: new Set(['1947-11-23']),
    };
    const stranger = nhsNumber('455', 777);
    const grouped = `${stranger.slice(0, 3)} ${stranger.slice(3, 6)} ${stranger.slice(6)}`;

    // Act
    const found = (text: string) =>
      scanForIdentifiers(text, knownHere).map((f) => `${f.kind}/${f.match}`);

    // Assess
    expect(isModulus11Valid(stranger)).toBe(true);
    expect(found(`{"nhs":"${PLANTED.ownNumbers[0]}"}`)).toContain('nhs-number/exact');
    expect(found(`patient ${grouped} seen`)).toEqual(['nhs-number/pattern']);
    expect(found('lives at e11bb')).toEqual(['postcode/exact']);
    expect(found('lives at SW1A 1AA')).toEqual(['postcode/pattern']);
    // the same date as DD/MM/YYYY is still that date of birth
    expect(found('born 23/11/1947')).toEqual(['date-of-birth/exact']);
    // a platform text is blanked, not the file's value beside it
    const hint = 'Give the full UK postcode (e.g. E1 1BB).';
    expect(scanForIdentifiers(`${hint} got e1 1bb`, knownHere, [hint]).map((f) => f.value)).toEqual(
      ['e1 1bb'],
    );
    // clean: a submission id, a fraction with ten decimals, epoch seconds, ODS and site codes
    expect(
      found(`sub-3f9a0c 0.1234567890 ${Math.floor(Date.now() / 1000)} RF401 R1H C34.1 2025-07-28`),
    ).toEqual([]);
  });

  it('collected the identifiers of every uploaded file, planted ones included', () => {
    // 7 fixtures + 2 generated files; the planted numbers sit in postcode, date and code
    // columns and in pathway_id, and must be collected from there too
    expect(known.nhsNumbers).toContain(PLANTED.inPostcode);
    expect(known.nhsNumbers).toContain(PLANTED.inReferralDate);
    expect(known.nhsNumbers).toContain(PLANTED.spacedInSourceOfReferral);
    expect(known.nhsNumbers).toContain(PLANTED.asPathwayId);
    expect(known.nhsNumbers).toContain('1234567890'); // the fixtures' invalid number
    expect(known.postcodes).toContain('RM7 0AG');
    expect(known.datesOfBirth).toContain('31/02/1941');
    expect(known.datesOfBirth).toContain('1960-03-15');
    // 10 + 7 rows of R1H July, 40 of RF4 July, each with its own date of birth
    expect(known.datesOfBirth.size).toBeGreaterThanOrEqual(40);
  });
});

describe('an end-to-end run leaves no identifier outside the upload prefixes', () => {
  it('ran what it meant to run: outcomes, alerts, reports and every route', async () => {
    const outcomes = await Promise.all(
      submissions.map(async ({ id }) => JSON.parse((await get(`/submissions/${id}`)).text).status),
    );
    // only the mostly-invalid file is rejected
    expect(outcomes.filter((status) => status === 'REJECTED')).toHaveLength(1);
    expect(outcomes.filter((status) => status === 'ACCEPTED')).toHaveLength(submissions.length - 1);
    const kinds = new Set(platform.alerts().map((alert) => alert.message?.type));
    expect(kinds).toContain('standard-breach');
    expect(kinds).toContain('inequality-gap');
    expect(responses.filter((r) => r.status >= 500)).toEqual([]);
    const routeNames = templateRoutes(platform.template, platform.config.region).map((r) => r.name);
    expect(routeNames.filter((name) => !requested.has(name))).toEqual([]);
  });

  it('reports the planted values without showing them (masked as null)', async () => {
    // Prepare
    const id = submissions.find((s) => s.fileName === 'r1h-july.csv')?.id;
    const report = JSON.parse((await get(`/submissions/${id}/report`)).text);
    const issue = (pathwayId: string, code: string) =>
      report.issues.find((i: any) => i.pathwayId === pathwayId && i.code === code);

    // Assess: 17 rows, the 7 planted ones invalid, each reported with its value withheld
    expect(report.counts).toEqual({ total: 17, valid: 10, invalid: 7 });
    for (const [pathwayId, code, field] of [
      ['BAD-SWAP', 'NHS_NUMBER_INVALID', 'nhs_number'],
      ['BAD-SWAP', 'POSTCODE_INVALID', 'postcode'],
      ['BAD-CHECK', 'NHS_NUMBER_INVALID', 'nhs_number'],
      ['BAD-DATE', 'DATE_INVALID', 'referral_received_date'],
      ['BAD-CODE', 'CODE_INVALID', 'priority_type'],
      ['BAD-SPACED', 'CODE_INVALID', 'source_of_referral'],
      ['BAD-DOB', 'DATE_INVALID', 'date_of_birth'],
    ] as const) {
      expect(issue(pathwayId, code), `${pathwayId} ${code}`).toMatchObject({ field, value: null });
    }
    // the bad priority code of the row keyed by an NHS number is still shown: it is not one
    expect(report.issues).toContainEqual(
      expect.objectContaining({ code: 'CODE_INVALID', value: '9' }),
    );
    for (const shown of report.issues.filter((i: any) => i.value !== null)) {
      expect(scanForIdentifiers(String(shown.value), known), JSON.stringify(shown)).toEqual([]);
    }
  });

  it('finds the identifiers where they belong: the uploads/ prefix (the scan is live)', async () => {
    const uploads = await objectsUnder('uploads/');
    const findings = uploads.flatMap(({ text }) => scanForIdentifiers(text, known));
    const values = new Set(findings.map((f) => f.value));
    expect(values).toContain(PLANTED.inPostcode);
    expect(values).toContain(PLANTED.asPathwayId);
    expect(values).toContain('RM14 1EF');
    expect(
      [...known.datesOfBirth].every((dob) =>
        findings.some((f) => f.kind === 'date-of-birth' && f.value === dob),
      ),
    ).toBe(true);
  });

  it('has none in any DynamoDB item of any table', async () => {
    const { text, perTable } = await dynamoItems();
    // submissions, aggregates and alerts at least were written
    expect(Object.values(perTable).filter((count) => count > 0).length).toBeGreaterThanOrEqual(3);
    expect(describeFindings('dynamodb', scan(text))).toEqual([]);
  });

  it('has none in any log line, at DEBUG, nor in the execution history', () => {
    const logs = [...captured, ...runtimeLog].join('\n');
    // the capture is live: the handlers' own lines are in it
    for (const message of [
      'submission registered',
      'submission validated',
      'submission rejected and quarantined',
      'submission accepted',
      'audit: unsuppressed breakdown disclosed',
      'audit: funding allocation saved',
    ]) {
      expect(logs, message).toContain(message);
    }
    const executions = readFileSync(join(platform.dataDir, 'executions.jsonl'), 'utf8');
    expect(executions.length).toBeGreaterThan(0);
    expect([
      ...describeFindings('log', scan(logs)),
      ...describeFindings('executions.jsonl', scan(executions)),
    ]).toEqual([]);
  });

  it('has none in any alert', () => {
    const alerts = platform.alerts();
    expect(alerts.length).toBeGreaterThan(0);
    const file = readFileSync(join(platform.dataDir, 'alerts.jsonl'), 'utf8');
    expect([
      ...describeFindings('alerts.jsonl', scan(file)),
      ...describeFindings('alerts (parsed)', scan(JSON.stringify(alerts))),
    ]).toEqual([]);
  });

  it('has none in any API response', () => {
    expect(responses.length).toBeGreaterThan(50);
    const findings = responses.flatMap((r) =>
      describeFindings(`${r.request} → ${r.status}`, scan(r.text)),
    );
    expect(findings).toEqual([]);
  });

  it('has none in the reports under reports/ (masked values only) or any other prefix', async () => {
    const everything = await platform.listKeys('');
    const prefixes = new Set(everything.map((key) => key.split('/')[0]));
    // the bucket's identifier-holding areas: the uploads, rejected files and staged records
    const allowed = new Set(['uploads', 'quarantine', 'staging']);
    const scanned = [...prefixes].filter((prefix) => !allowed.has(prefix ?? ''));
    expect(scanned).toContain('reports');
    const objects = (await Promise.all(scanned.map((prefix) => objectsUnder(`${prefix}/`)))).flat();
    expect(objects.filter((o) => o.key.endsWith('report.csv')).length).toBe(submissions.length);
    expect(objects.flatMap(({ key, text }) => describeFindings(key, scan(text)))).toEqual([]);
  });

  it('keeps identifiers in staging/ to the validated records: enriched chunks and partials are clean', async () => {
    const staged = await objectsUnder('staging/');
    const outsideValid = staged.filter(({ key }) => !/^staging\/[^/]+\/valid\//.test(key));
    expect(outsideValid.length).toBeGreaterThan(0);
    expect(outsideValid.flatMap(({ key, text }) => describeFindings(key, scan(text)))).toEqual([]);
  });

  // A file whose pathway_id column holds NHS numbers (a shifted column, or a trust keying
  // pathways by NHS number): issues quote no such pathway id anywhere.
  it('does not echo an NHS number used as a pathway id', async () => {
    const { text } = await dynamoItems();
    const everywhere = [text, ...responses.map((r) => r.text)].join('\n');
    expect(everywhere).not.toContain(PLANTED.asPathwayId);
  });
});
