import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requestUpload as requestUploadCli } from '../../bin/support/request-upload';
import { submissionIdFor } from '../../lambdas/core/submission';
import { issueToken } from '../../lib/local/tokens';
import {
  FIXTURES,
  figure,
  readResponse,
  startTestPlatform,
  type TestPlatform,
} from './support/platform';

/**
 * Trust staff with an API token and no AWS credentials: POST /uploads for a presigned URL, PUT
 * the file to it, and the upload runs through the same workflow as any other.
 */
const P = '2025-06';
const GOLDEN = 'rf4-2025-06-golden.csv';
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

async function requestUpload(
  payload: unknown,
  group: string | null = 'trust-RF4',
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (group) headers.authorization = `Bearer ${await issueToken(platform.dataDir, { group })}`;
  return readResponse(
    await fetch(`${platform.runtime.apiUrl}/uploads`, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
    }),
  );
}

describe('presigned upload (POST /uploads, then PUT)', () => {
  it('lets a trust token upload a file that is processed, ACCEPTED and counted', async () => {
    // Prepare
    const file = readFileSync(join(FIXTURES, GOLDEN));

    // Act: ask for a URL, then send the file with exactly the headers the answer lists.
    const issued = await requestUpload({ period: P, fileName: GOLDEN, sizeBytes: file.length });
    expect(issued.status).toBe(200);
    const { url, method, headers, key } = issued.body;
    const put = await fetch(url, { method, headers, body: file });
    await put.arrayBuffer();
    // s3rver emits its event after responding; give it a moment to reach the runtime.
    await new Promise((r) => setTimeout(r, 50));
    await platform.runtime.waitForIdle();

    // Assess: the URL is the local S3 endpoint, and the object sits under RF4's prefix.
    expect(url.startsWith(`${platform.runtime.s3Endpoint}/`)).toBe(true);
    expect(put.status).toBe(200);
    expect(key).toBe(`uploads/RF4/cwt/${P}/${GOLDEN}`);
    const id = submissionIdFor({
      bucket: platform.bucket,
      key,
      versionId: put.headers.get('x-amz-version-id'),
      etag: put.headers.get('etag'),
    });
    // 17 data rows; F8 has NHS number 1234567890, which fails Modulus 11: 16 valid, 1 invalid.
    const submission = await platform.api(`/submissions/${id}`, 'trust-RF4');
    expect(submission.status).toBe(200);
    expect(submission.body).toMatchObject({
      trust: 'RF4',
      period: P,
      status: 'ACCEPTED',
      counts: { total: 17, valid: 16, invalid: 1 },
    });
    // June FDS stops at RF4: F1 28 days within, F2 29 breach, F3 8 within, F4 32 − 5 = 27
    // within, F9 21 within (F5 excluded, F6 stopped in May, F8 invalid, F10 ended at R1H):
    // 4 within of 5.
    const fds = await platform.api(`/performance?standard=fds&from=${P}&to=${P}`, 'trust-RF4');
    expect(fds.status).toBe(200);
    expect(figure(fds.body, P, 'RF4')).toEqual([4, 5]);
  });

  it("refuses a trust token asking for another trust's prefix with 403", async () => {
    // Act
    const response = await requestUpload({
      period: P,
      fileName: 'r1h.csv',
      sizeBytes: 100,
      trust: 'R1H',
    });

    // Assess
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('UPLOAD_TRUST_FORBIDDEN');
  });

  it('refuses a file above the size limit with 413', async () => {
    // Act: 2 GiB, above the default limit of 1 GiB (rules.limits.maxFileBytes).
    const response = await requestUpload({
      period: P,
      fileName: 'big.csv',
      sizeBytes: 2 * 1024 * 1024 * 1024,
    });

    // Assess
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('UPLOAD_TOO_LARGE');
  });

  it('refuses a path-traversing file name with 400', async () => {
    // Act
    const response = await requestUpload({ period: P, fileName: '../x.csv', sizeBytes: 100 });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('UPLOAD_REQUEST_INVALID');
  });

  it('refuses a request without a token with 401', async () => {
    // Act
    const response = await requestUpload({ period: P, fileName: 'x.csv', sizeBytes: 100 }, null);

    // Assess
    expect(response.status).toBe(401);
  });
});

describe('npm run cli -- request-upload', () => {
  it('uploads with a token only, finds the bucket from the URL and waits for ACCEPTED', async () => {
    // Prepare: the same file under another name is a resubmission for the same trust and month.
    const dir = mkdtempSync(join(tmpdir(), 'cap-request-upload-'));
    const file = join(dir, 'rf4-june-resubmitted.csv');
    copyFileSync(join(FIXTURES, GOLDEN), file);
    const token = await issueToken(platform.dataDir, { group: 'trust-RF4' });
    const printed: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // Act
    const outcome = await requestUploadCli({
      apiUrl: platform.runtime.apiUrl,
      bucket: undefined,
      token,
      period: P,
      file,
      dataset: 'cwt',
      trust: undefined,
      wait: true,
      timeoutSeconds: 300,
    }).finally(() => {
      stdout.mockRestore();
      stderr.mockRestore();
    });

    // Assess: ACCEPTED (the waiting read the submission with the trust token), replacing the
    // earlier June upload, and the figures are those of the same records: still 4 of 5 for RF4.
    expect(outcome).toBe('ok');
    const submission = JSON.parse(printed.join(''));
    expect(submission).toMatchObject({ trust: 'RF4', period: P, status: 'ACCEPTED' });
    expect(submission.supersedes).toMatch(/^sub-/);
    expect(await platform.listKeys('uploads/RF4/')).toContain(
      `uploads/RF4/cwt/${P}/rf4-june-resubmitted.csv`,
    );
    const fds = await platform.api(`/performance?standard=fds&from=${P}&to=${P}`, 'trust-RF4');
    expect(figure(fds.body, P, 'RF4')).toEqual([4, 5]);
    rmSync(dir, { recursive: true, force: true });
  });
});
