import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../lib/local/tokens';
import { FIXTURES, PROJECT_ROOT, startTestPlatform, type TestPlatform } from './support/platform';

/**
 * The row-level report route and the dry run (POST /validate) through the local runtime. The
 * RF4 golden file has 17 data rows; F8 (file row 8) carries NHS number 1234567890, which fails
 * the Modulus 11 check, so both paths must report 17 / 16 / 1 and the same row-8 error.
 */
const P = '2025-06';
const GOLDEN = 'rf4-2025-06-golden.csv';
let platform: TestPlatform;
let submissionId: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  submissionId = await platform.uploadFixture('RF4', P, GOLDEN);
});
afterAll(async () => {
  await platform?.stop();
});

async function request(
  method: string,
  path: string,
  options: { group?: string; body?: string; contentType?: string } = {},
): Promise<{ status: number; text: string; contentType: string | null }> {
  const token = await issueToken(platform.dataDir, { group: options.group ?? 'alliance' });
  const response = await fetch(`${platform.runtime.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  return {
    status: response.status,
    text: await response.text(),
    contentType: response.headers.get('content-type'),
  };
}

describe('GET /submissions/{id}/report', () => {
  it('returns the stored JSON report to the submitting trust, without identifier values', async () => {
    // Act
    const response = await request('GET', `/submissions/${submissionId}/report`, {
      group: 'trust-RF4',
    });

    // Assess
    expect(response.status).toBe(200);
    const report = JSON.parse(response.text);
    expect(report).toMatchObject({
      submissionId,
      trust: 'RF4',
      status: 'ACCEPTED',
      counts: { total: 17, valid: 16, invalid: 1 },
    });
    expect(report.issues).toContainEqual(
      expect.objectContaining({ row: 8, pathwayId: 'F8', code: 'NHS_NUMBER_INVALID', value: null }),
    );
    expect(response.text).not.toContain('1234567890');
  });

  it('returns the CSV with a value column to the alliance', async () => {
    // Act
    const response = await request('GET', `/submissions/${submissionId}/report?format=csv`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.contentType).toContain('text/csv');
    const lines = response.text.split('\r\n');
    expect(lines[0]).toBe('row,pathway_id,severity,code,field,value,message,hint');
    expect(
      lines.some((line) => line.startsWith('8,F8,error,NHS_NUMBER_INVALID,nhs_number,,')),
    ).toBe(true);
    expect(response.text).not.toContain('1234567890');
  });

  it('refuses another trust (403) and answers 404 for an unknown submission', async () => {
    // Act
    const other = await request('GET', `/submissions/${submissionId}/report`, {
      group: 'trust-R1H',
    });
    const unknown = await request('GET', `/submissions/sub-${'0'.repeat(24)}/report`);

    // Assess
    expect(other.status).toBe(403);
    expect(unknown.status).toBe(404);
  });
});

describe('POST /validate (dry run)', () => {
  it('gives the same verdict and counts as the real upload and stores nothing', async () => {
    // Prepare
    const before = [...(await platform.listKeys('')), await platform.scanTables()];
    const file = readFileSync(join(FIXTURES, GOLDEN), 'utf8');

    // Act
    const response = await request('POST', `/validate?trust=RF4&period=${P}`, {
      group: 'trust-RF4',
      body: file,
      contentType: 'text/csv',
    });

    // Assess
    expect(response.status).toBe(200);
    const report = JSON.parse(response.text);
    const stored = JSON.parse((await request('GET', `/submissions/${submissionId}/report`)).text);
    expect(report).toMatchObject({ status: 'ACCEPTED', counts: stored.counts });
    expect(report.issues).toEqual(stored.issues);
    expect([...(await platform.listKeys('')), await platform.scanTables()]).toEqual(before);
  });

  it('reads a base64 body byte for byte (Windows-1252 CSV)', async () => {
    // Prepare: £ is 0xA3 in Windows-1252 and invalid as UTF-8 on its own
    const text = `pathway_id,nhs_number,priority_type,referral_received_date,treatment_adjustment_reason\nP1,3914177764,3,2025-06-01,cost £5\n`;
    const bytes = Buffer.from(text, 'latin1');

    // Act
    const response = await request('POST', `/validate?trust=RF4&period=${P}&encoding=base64`, {
      body: bytes.toString('base64'),
    });

    // Assess
    const report = JSON.parse(response.text);
    expect(report).toMatchObject({
      status: 'ACCEPTED',
      file: { encoding: 'windows-1252' },
      counts: { total: 1, valid: 1, invalid: 0 },
    });
  });

  it('keeps a trust to its own trust and refuses files above the dry-run maximum', async () => {
    // Act
    const other = await request('POST', `/validate?trust=RF4&period=${P}`, {
      group: 'trust-R1H',
      body: 'x',
    });
    // 4 MiB + 1 byte: one byte above DRY_RUN_MAX_BYTES
    const large = await request('POST', `/validate?trust=RF4&period=${P}`, {
      body: 'a'.repeat(4 * 1024 * 1024 + 1),
    });

    // Assess
    expect(other.status).toBe(403);
    expect(large.status).toBe(413);
    expect(JSON.parse(large.text).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('cli validate', () => {
  async function cli(file: string): Promise<{ code: number; stdout: string }> {
    try {
      const { stdout } = await promisify(execFile)(
        join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
        [
          join(PROJECT_ROOT, 'bin', 'cli.ts'),
          'validate',
          '--trust',
          'RF4',
          '--period',
          P,
          '--file',
          file,
          '--data-dir',
          platform.dataDir,
        ],
        { cwd: PROJECT_ROOT },
      );
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, stdout: failed.stdout };
    }
  }

  it('exits 0 for a file that would be accepted and 2 for one that would be rejected', async () => {
    // Prepare: `npm start` (bin/local.ts) adds the upload bucket to runtime.json; do the same.
    // Then a file whose only row has none of its required values → every row invalid.
    const info = join(platform.dataDir, 'runtime.json');
    const written = JSON.parse(readFileSync(info, 'utf8'));
    writeFileSync(info, JSON.stringify({ ...written, uploadBucket: platform.bucket }));
    const bad = join(platform.dataDir, 'bad.csv');
    writeFileSync(bad, 'pathway_id,nhs_number,priority_type,referral_received_date\nP1,,,\n');

    // Act
    const good = await cli(join(FIXTURES, GOLDEN));
    const rejected = await cli(bad);

    // Assess
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('would be ACCEPTED');
    expect(good.stdout).toContain('records: 17 total, 16 valid, 1 invalid');
    expect(rejected.code).toBe(2);
    expect(rejected.stdout).toContain('TOO_MANY_INVALID_RECORDS');
  });
});
