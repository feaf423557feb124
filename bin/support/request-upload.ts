import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { submissionIdFor } from '../../lambdas/core/submission';

/**
 * Upload with an API token only (no AWS credentials): ask `POST /uploads` for a presigned URL,
 * PUT the file to it with the headers the answer lists, and optionally follow the submission
 * with `GET /submissions/{id}` using the same token.
 */

export interface RequestUploadOptions {
  /** Base URL of the API (the stack's ApiUrl output, or the local gateway). */
  readonly apiUrl: string;
  /** Bucket name, only needed to compute the submission id (locally known; else from the key). */
  readonly bucket: string | undefined;
  /** Bearer token (a Cognito id token in the cloud, `npm run cli -- token` locally). */
  readonly token: string;
  readonly period: string;
  readonly file: string;
  readonly dataset: string;
  readonly trust: string | undefined;
  readonly wait: boolean;
  readonly timeoutSeconds: number;
}

export type RequestUploadOutcome = 'ok' | 'failed' | 'rejected';

interface IssuedUpload {
  url: string;
  method: string;
  headers: Record<string, string>;
  key: string;
  expiresAt: string;
}

const FINISHED = new Set(['ACCEPTED', 'REJECTED', 'FAILED']);

function bucketOfUrl(url: string, key: string): string | undefined {
  // Path-style (local): /{bucket}/{key}; virtual-hosted (cloud): {bucket}.s3.{region}.amazonaws.com.
  const parsed = new URL(url);
  const path = decodeURIComponent(parsed.pathname);
  if (path.endsWith(`/${key}`) && path.length > key.length + 1) {
    const prefix = path.slice(1, -key.length - 1);
    if (prefix) return prefix;
  }
  return /^(.+)\.s3[.-]/.exec(parsed.hostname)?.[1];
}

export async function requestUpload(options: RequestUploadOptions): Promise<RequestUploadOutcome> {
  const fileName = basename(options.file);
  const sizeBytes = statSync(options.file).size;
  const api = options.apiUrl.replace(/\/+$/, '');
  const authorization = `Bearer ${options.token}`;

  const asked = await fetch(`${api}/uploads`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({
      period: options.period,
      fileName,
      sizeBytes,
      dataset: options.dataset,
      ...(options.trust ? { trust: options.trust } : {}),
    }),
  });
  const askedText = await asked.text();
  if (asked.status !== 200) {
    process.stderr.write(`upload refused (${asked.status}): ${askedText}\n`);
    return 'failed';
  }
  const issued = JSON.parse(askedText) as IssuedUpload;
  process.stderr.write(
    `uploading ${fileName} (${sizeBytes} bytes) to ${issued.key} (URL valid until ${issued.expiresAt})\n`,
  );

  const put = await fetch(issued.url, {
    method: issued.method,
    headers: issued.headers,
    body: readFileSync(options.file),
  });
  const putText = await put.text();
  if (!put.ok) {
    process.stderr.write(`the storage refused the file (${put.status}): ${putText}\n`);
    return 'failed';
  }
  const bucket = options.bucket ?? bucketOfUrl(issued.url, issued.key);
  const id = bucket
    ? submissionIdFor({
        bucket,
        key: issued.key,
        versionId: put.headers.get('x-amz-version-id'),
        etag: put.headers.get('etag'),
      })
    : null;
  if (!options.wait || !id) {
    process.stdout.write(`${JSON.stringify({ id, key: issued.key, status: 'RECEIVED' })}\n`);
    return 'ok';
  }

  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(`${api}/submissions/${id}`, { headers: { authorization } });
    const body = (response.status === 200 ? await response.json() : await response.text()) as {
      status?: string;
    };
    if (response.status === 200 && body.status) {
      if (body.status !== last) process.stderr.write(`status: ${body.status}\n`);
      last = body.status;
      if (FINISHED.has(body.status)) {
        process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
        return body.status === 'ACCEPTED'
          ? 'ok'
          : body.status === 'REJECTED'
            ? 'rejected'
            : 'failed';
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  process.stderr.write(
    `timed out after ${options.timeoutSeconds}s waiting for ${id} (last status: ${last || 'not registered'})\n`,
  );
  return 'failed';
}
