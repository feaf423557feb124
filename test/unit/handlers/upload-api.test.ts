import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetClients } from '../../../lambdas/adapters/clients';
import { resetHandlerEnv } from '../../../lambdas/adapters/env';
import { handler } from '../../../lambdas/handlers/upload-api';
import nel from '../../../lib/alliances/north-east-london.json';
import { apiEvent, context, useHandlerEnv } from './helpers';

const body = (result: { body: string }) => JSON.parse(result.body);

/** Variables a test may change; put back after each. */
const TOUCHED = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_ENDPOINT_URL_S3',
  'UPLOAD_URL_TTL_SECONDS',
];
const saved = Object.fromEntries(TOUCHED.map((name) => [name, process.env[name]]));

function post(payload: unknown, groups: string | null = 'trust-RF4'): APIGatewayProxyEvent {
  return {
    ...apiEvent('/uploads', { groups }),
    httpMethod: 'POST',
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  };
}

const rf4June = { period: '2025-06', fileName: 'rf4-2025-06.csv', sizeBytes: 1234 };

/** The SigV4 query parameters of a presigned URL. */
function signing(url: string) {
  const query = new URL(url).searchParams;
  const date = query.get('X-Amz-Date') ?? '';
  // 20250601T120000Z → 2025-06-01T12:00:00Z
  const signedAt = new Date(
    date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  return {
    query,
    signedAt,
    expires: Number(query.get('X-Amz-Expires')),
    signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
  };
}

/** Runs the handler with the alliance config's intake limits changed. */
function useConfigLimits(limits: Record<string, number>): void {
  process.env.ALLIANCE_CONFIG = JSON.stringify({
    ...nel,
    rules: { ...nel.rules, limits: { ...limits } },
  });
  resetHandlerEnv();
}

describe('upload API: POST /uploads', () => {
  beforeEach(() => {
    useHandlerEnv();
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
    });
    for (const name of [
      'AWS_SESSION_TOKEN',
      'AWS_CREDENTIAL_EXPIRATION',
      'AWS_ENDPOINT_URL_S3',
      'UPLOAD_URL_TTL_SECONDS',
    ]) {
      delete process.env[name];
    }
    resetClients();
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetClients();
  });

  it("signs a PUT of exactly the stated size under the caller's own trust prefix", async () => {
    // Act
    const result = await handler(post(rf4June), context);

    // Assess
    expect(result.statusCode).toBe(200);
    const answer = body(result);
    expect(answer).toMatchObject({
      method: 'PUT',
      key: 'uploads/RF4/cwt/2025-06/rf4-2025-06.csv',
      trust: 'RF4',
      dataset: 'cwt',
      period: '2025-06',
      headers: { 'content-length': '1234' },
    });
    const url = new URL(answer.url);
    expect(decodeURIComponent(url.pathname)).toContain('uploads/RF4/cwt/2025-06/rf4-2025-06.csv');
    const { query, signedAt, expires, signedHeaders } = signing(answer.url);
    // Content-Length is signed, so S3 refuses a body of any other size.
    expect(signedHeaders).toEqual(expect.arrayContaining(['content-length', 'host']));
    // A checksum of the empty body in the URL would make S3 refuse every real file.
    expect([...query.keys()].filter((name) => name.startsWith('x-amz-checksum'))).toEqual([]);
    // Default lifetime 15 min = 900 s, and expiresAt says the same.
    expect(expires).toBe(900);
    expect(new Date(answer.expiresAt).getTime() - signedAt.getTime()).toBe(900_000);
  });

  it('points the URL at the S3 endpoint override, path-style (the local s3rver)', async () => {
    // Prepare
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:4569';

    // Act
    const answer = body(await handler(post(rf4June), context));

    // Assess: bucket in the path, not the host name.
    expect(answer.url).toMatch(
      /^http:\/\/127\.0\.0\.1:4569\/uploads-bucket\/uploads\/RF4\/cwt\/2025-06\/rf4-2025-06\.csv\?/,
    );
  });

  it('refuses a trust user asking for another trust with 403', async () => {
    // Act
    const result = await handler(post({ ...rf4June, trust: 'R1H' }), context);

    // Assess
    expect(result.statusCode).toBe(403);
    expect(body(result).error.code).toBe('UPLOAD_TRUST_FORBIDDEN');
  });

  it('lets alliance staff upload on behalf of a named alliance trust, and only then', async () => {
    // Act
    const unnamed = await handler(post(rf4June, 'alliance'), context);
    const named = await handler(post({ ...rf4June, trust: 'R1H' }, 'alliance'), context);
    const foreign = await handler(post({ ...rf4June, trust: 'ZZZ' }, 'alliance'), context);

    // Assess
    expect(unnamed.statusCode).toBe(400);
    expect(body(unnamed).error.code).toBe('UPLOAD_TRUST_REQUIRED');
    expect(named.statusCode).toBe(200);
    expect(body(named).key).toBe('uploads/R1H/cwt/2025-06/rf4-2025-06.csv');
    expect(foreign.statusCode).toBe(403);
    expect(body(foreign).error.code).toBe('UPLOAD_TRUST_FORBIDDEN');
  });

  it('makes a member of several trusts name one of theirs', async () => {
    // Act
    const unnamed = await handler(post(rf4June, 'trust-RF4,trust-R1H'), context);
    const named = await handler(post({ ...rf4June, trust: 'R1H' }, 'trust-RF4,trust-R1H'), context);

    // Assess
    expect(unnamed.statusCode).toBe(400);
    expect(body(unnamed).error.code).toBe('UPLOAD_TRUST_REQUIRED');
    expect(named.statusCode).toBe(200);
    expect(body(named).key).toBe('uploads/R1H/cwt/2025-06/rf4-2025-06.csv');
  });

  it('answers 413 above the configured maximum size, and signs at exactly the maximum', async () => {
    // Prepare: the alliance config's intake limits, which Validate enforces too.
    useConfigLimits({ maxFileBytes: 1000 });

    // Act
    const over = await handler(post({ ...rf4June, sizeBytes: 1001 }), context);
    const at = await handler(post({ ...rf4June, sizeBytes: 1000 }), context);

    // Assess
    expect(over.statusCode).toBe(413);
    expect(body(over).error.code).toBe('UPLOAD_TOO_LARGE');
    expect(at.statusCode).toBe(200);
    expect(body(at).headers['content-length']).toBe('1000');
  });

  it('answers 413 above the default maximum of 1 GiB, and for XLSX above 256 MiB', async () => {
    // Act: 1 GiB = 1,073,741,824 bytes; 256 MiB = 268,435,456 bytes.
    const csvOver = await handler(post({ ...rf4June, sizeBytes: 1_073_741_825 }), context);
    const csvAt = await handler(post({ ...rf4June, sizeBytes: 1_073_741_824 }), context);
    const xlsx = { ...rf4June, fileName: 'rf4-2025-06.xlsx' };
    const xlsxOver = await handler(post({ ...xlsx, sizeBytes: 268_435_457 }), context);
    const xlsxAt = await handler(post({ ...xlsx, sizeBytes: 268_435_456 }), context);

    // Assess
    expect(csvOver.statusCode).toBe(413);
    expect(csvAt.statusCode).toBe(200);
    expect(xlsxOver.statusCode).toBe(413);
    expect(body(xlsxOver).error.message).toContain('XLSX');
    expect(xlsxAt.statusCode).toBe(200);
  });

  it.each([
    ['../x.csv'],
    ['..'],
    ['a/b.csv'],
    ['a\\b.csv'],
    ['.hidden.csv'],
    ['x..csv'],
    ['report.pdf'],
    ['report.csv.exe'],
    ['with space.csv'],
    ['plus+sign.csv'],
    ['%2e%2e%2fx.csv'],
    [''],
    [`${'a'.repeat(97)}.csv`],
  ])('refuses the file name %j with 400', async (fileName) => {
    // Act
    const result = await handler(post({ ...rf4June, fileName }), context);

    // Assess
    expect(result.statusCode).toBe(400);
    expect(body(result).error.code).toBe('UPLOAD_REQUEST_INVALID');
  });

  it.each([['RF4_June-2025.v2.CSV'], ['rf4.xlsx'], [`${'a'.repeat(96)}.csv`]])(
    'accepts the file name %j',
    async (fileName) => {
      // Act
      const result = await handler(post({ ...rf4June, fileName }), context);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(body(result).key).toBe(`uploads/RF4/cwt/2025-06/${fileName}`);
    },
  );

  it.each([
    ['a bad period', { ...rf4June, period: '2025-13' }],
    ['a period with a day', { ...rf4June, period: '2025-06-01' }],
    ['a zero size', { ...rf4June, sizeBytes: 0 }],
    ['a fractional size', { ...rf4June, sizeBytes: 10.5 }],
    ['a size as text', { ...rf4June, sizeBytes: '1234' }],
    ['an unknown dataset', { ...rf4June, dataset: 'sact' }],
    ['an unknown field', { ...rf4June, key: 'uploads/R1H/cwt/2025-06/x.csv' }],
    ['a lifetime over an hour', { ...rf4June, expiresInSeconds: 3601 }],
    ['no file name', { period: '2025-06', sizeBytes: 1 }],
    ['a body that is not JSON', '{"period":'],
    ['no body', ''],
  ])('refuses %s with 400', async (_name, payload) => {
    // Act
    const result = await handler(post(payload), context);

    // Assess
    expect(result.statusCode).toBe(400);
    expect(body(result).error.code).toBe('UPLOAD_REQUEST_INVALID');
  });

  it('takes the default lifetime from the deployment and a shorter or longer one from the request', async () => {
    // Prepare
    process.env.UPLOAD_URL_TTL_SECONDS = '300';

    // Act
    const byDefault = body(await handler(post(rf4June), context));
    const asked = body(await handler(post({ ...rf4June, expiresInSeconds: 3600 }), context));

    // Assess
    expect(signing(byDefault.url).expires).toBe(300);
    expect(signing(asked.url).expires).toBe(3600);
  });

  it('reports the credentials’ expiry when the signing session ends before the URL would', async () => {
    // Prepare: temporary credentials with two minutes left, URL asked for 15.
    const credentialsExpire = new Date(Math.ceil(Date.now() / 1000) * 1000 + 120_000);
    Object.assign(process.env, {
      AWS_SESSION_TOKEN: 'session',
      AWS_CREDENTIAL_EXPIRATION: credentialsExpire.toISOString(),
    });

    // Act
    const answer = body(await handler(post(rf4June), context));

    // Assess
    expect(new Date(answer.expiresAt).getTime()).toBe(credentialsExpire.getTime());
    expect(signing(answer.url).query.get('X-Amz-Security-Token')).toBe('session');
  });

  it('fails as a deployment fault (500, no detail) when the default lifetime is out of range', async () => {
    // Prepare: above the 1-hour ceiling.
    process.env.UPLOAD_URL_TTL_SECONDS = '7200';

    // Act
    const result = await handler(post(rf4June), context);

    // Assess
    expect(result.statusCode).toBe(500);
    expect(body(result).error.code).toBe('CONFIG_INVALID');
    expect(result.body).not.toContain('UPLOAD_URL_TTL_SECONDS');
  });

  it('answers 401 without a verified identity', async () => {
    // Act
    const result = await handler(post(rf4June, null), context);

    // Assess
    expect(result.statusCode).toBe(401);
  });

  it('answers 403 to an account in no trust and not the alliance', async () => {
    // Act
    const result = await handler(post(rf4June, 'viewers'), context);

    // Assess
    expect(result.statusCode).toBe(403);
  });
});
