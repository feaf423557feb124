import { z } from 'zod';
import type { Caller } from './access';
import { ForbiddenError, PayloadTooLargeError, ValidationError } from './errors';
import { DATASETS, parseUploadKey, uploadKeyFor } from './submission';

/**
 * Presigned uploads (`POST /uploads`): who may upload what, under which key, for how long. Pure:
 * the handler turns the plan into a signed URL. The URL carries the signing function's rights
 * (PutObject anywhere under `uploads/`), so this module is what keeps a trust to its own prefix.
 */

/** Default lifetime of an upload URL: long enough to send a large file on a slow link. */
export const DEFAULT_UPLOAD_URL_TTL_SECONDS = 15 * 60;
/** Longest lifetime a deployment or a request may ask for. */
export const MAX_UPLOAD_URL_TTL_SECONDS = 60 * 60;
/** Shortest lifetime a request may ask for. */
export const MIN_UPLOAD_URL_TTL_SECONDS = 60;
/** A single S3 PUT takes at most 5 GiB, whatever the configured limits say. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 * 1024 * 1024;

/**
 * Letters, digits, `.`, `_` and `-`, starting with a letter or digit, ending in `.csv` or
 * `.xlsx`. No `/` or `\` (the name is one key segment), no spaces or `+` (S3 event keys
 * URL-encode them), no `..` (the name is also what a trust sees in reports and CLI output).
 */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\.(csv|xlsx)$/i;

/**
 * Body of `POST /uploads`.
 *
 * @example { "period": "2025-06", "fileName": "rf4-2025-06.csv", "sizeBytes": 52311 }
 */
export const UploadRequestSchema = z.strictObject({
  /** Reporting month the file is for. */
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM'),
  /** Name the object gets under the trust's prefix. */
  fileName: z
    .string()
    .max(100, 'at most 100 characters')
    .refine((name) => !name.includes('..'), 'must not contain ".."')
    .refine(
      (name) => FILE_NAME.test(name),
      'letters, digits, ".", "_" and "-" only, ending in .csv or .xlsx',
    ),
  /** Exact size of the file in bytes; the URL is signed for this Content-Length. */
  sizeBytes: z.number().int('a whole number of bytes').positive('at least 1 byte'),
  /** @default 'cwt' */
  dataset: z.enum(DATASETS).default('cwt'),
  /**
   * ODS code of the trust the file is for. Required for alliance staff (who upload on a trust's
   * behalf) and for staff of several trusts; optional for staff of exactly one trust.
   */
  trust: z
    .string()
    .regex(/^[A-Z0-9]{3}$/, 'expected a 3-character ODS trust code')
    .optional(),
  /** Lifetime of the URL, within the deployment's limits. @default - the deployment's default */
  expiresInSeconds: z
    .number()
    .int()
    .min(MIN_UPLOAD_URL_TTL_SECONDS)
    .max(MAX_UPLOAD_URL_TTL_SECONDS)
    .optional(),
});
export type UploadRequest = z.infer<typeof UploadRequestSchema>;

/**
 * Size limits of one trust's files: the alliance config's intake limits (`rules.limits`), which
 * the Validate step enforces too, so a file it would reject for its size is refused up front.
 */
export interface UploadSizeLimits {
  readonly maxFileBytes: number;
  /** XLSX workbooks are read into memory whole, so they have a lower bound. */
  readonly maxXlsxBytes: number;
}

/** The largest file of this name a presigned upload may carry. */
export function maxUploadBytes(fileName: string, limits: UploadSizeLimits): number {
  const xlsx = /\.xlsx$/i.test(fileName);
  return Math.min(
    limits.maxFileBytes,
    xlsx ? limits.maxXlsxBytes : Number.POSITIVE_INFINITY,
    MAX_SINGLE_PUT_BYTES,
  );
}

/** What to sign: one key under one trust's prefix, one size, one lifetime. */
export interface UploadPlan {
  readonly trust: string;
  readonly dataset: string;
  readonly period: string;
  readonly fileName: string;
  readonly key: string;
  readonly sizeBytes: number;
  readonly ttlSeconds: number;
}

/** Parses a request body (already JSON-decoded) into an {@link UploadRequest}, or a 400. */
export function parseUploadRequest(body: unknown): UploadRequest {
  const parsed = UploadRequestSchema.safeParse(body);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
      .join('; ');
    throw new ValidationError(`Invalid request: ${detail}.`, 'UPLOAD_REQUEST_INVALID');
  }
  return parsed.data;
}

/**
 * The trust an upload is for. Trust staff upload for their own trust only; a member of several
 * trusts names one of them. Alliance staff may upload on behalf of any of the alliance's trusts,
 * and must say which: an alliance account has no trust of its own to default to.
 */
export function uploadTrustFor(
  caller: Caller,
  requested: string | undefined,
  allianceTrusts: readonly string[],
): string {
  if (requested !== undefined) {
    if (!caller.alliance && !caller.trusts.includes(requested)) {
      throw new ForbiddenError(
        `Your account may not upload files for trust ${requested}.`,
        'UPLOAD_TRUST_FORBIDDEN',
      );
    }
    if (!allianceTrusts.includes(requested)) {
      throw new ForbiddenError(
        `Trust ${requested} is not part of this alliance.`,
        'UPLOAD_TRUST_FORBIDDEN',
      );
    }
    return requested;
  }
  if (caller.alliance) {
    throw new ValidationError(
      'Invalid request: trust: alliance accounts must name the trust they upload for.',
      'UPLOAD_TRUST_REQUIRED',
    );
  }
  const [own, ...others] = caller.trusts;
  if (!own) {
    throw new ForbiddenError(
      'Your account is not a member of any trust, so it cannot upload.',
      'UPLOAD_TRUST_FORBIDDEN',
    );
  }
  if (others.length > 0) {
    throw new ValidationError(
      `Invalid request: trust: your account belongs to several trusts (${caller.trusts.join(', ')}); name one.`,
      'UPLOAD_TRUST_REQUIRED',
    );
  }
  return uploadTrustFor(caller, own, allianceTrusts);
}

/**
 * Decides what an upload URL may write. Order matters for the caller's answer: a malformed body
 * is a 400, a trust outside the caller's scope a 403, and only then the size a 413.
 */
export function planUpload(
  caller: Caller,
  request: UploadRequest,
  options: {
    readonly allianceTrusts: readonly string[];
    /** The size limits for the trust's files. */
    readonly limitsFor: (trust: string) => UploadSizeLimits;
    /** Lifetime when the request does not ask for one. */
    readonly defaultTtlSeconds: number;
  },
): UploadPlan {
  const trust = uploadTrustFor(caller, request.trust, options.allianceTrusts);
  const maxBytes = maxUploadBytes(request.fileName, options.limitsFor(trust));
  if (request.sizeBytes > maxBytes) {
    throw new PayloadTooLargeError(
      `The file is ${request.sizeBytes} bytes; ${/\.xlsx$/i.test(request.fileName) ? 'XLSX ' : ''}uploads are limited to ${maxBytes} bytes.`,
      'UPLOAD_TOO_LARGE',
    );
  }
  const key = uploadKeyFor(trust, request.dataset, request.period, request.fileName);
  // Belt and braces: the key must read back as exactly what was asked for, under this trust.
  const parsed = parseUploadKey(key);
  if ('problem' in parsed || parsed.trust !== trust || parsed.fileName !== request.fileName) {
    throw new ValidationError(
      'Invalid request: the file name does not make a valid upload key.',
      'UPLOAD_REQUEST_INVALID',
    );
  }
  return {
    trust,
    dataset: request.dataset,
    period: request.period,
    fileName: request.fileName,
    key,
    sizeBytes: request.sizeBytes,
    ttlSeconds: Math.min(
      request.expiresInSeconds ?? options.defaultTtlSeconds,
      MAX_UPLOAD_URL_TTL_SECONDS,
    ),
  };
}
