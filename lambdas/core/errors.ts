/**
 * Platform errors: each carries a stable `code` (what clients and reports key on) and the HTTP
 * status the API maps it to. Names are set from string literals, not `new.target.name`, because a
 * minifying bundler renames classes and Step Functions Retry/Catch match on the error name.
 */

export class PlatformError extends Error {
  readonly code: string;
  readonly httpStatus: number;

  constructor(code: string, message: string, httpStatus = 500, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PlatformError';
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/** The input (request, event, configuration value) does not have the expected shape. */
export class ValidationError extends PlatformError {
  constructor(message: string, code = 'VALIDATION_FAILED', options?: ErrorOptions) {
    super(code, message, 400, options);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends PlatformError {
  constructor(message: string, code = 'NOT_FOUND', options?: ErrorOptions) {
    super(code, message, 404, options);
    this.name = 'NotFoundError';
  }
}

/** Authenticated, but not allowed to see this trust's or this alliance's data. */
export class ForbiddenError extends PlatformError {
  constructor(message: string, code = 'FORBIDDEN', options?: ErrorOptions) {
    super(code, message, 403, options);
    this.name = 'ForbiddenError';
  }
}

export class UnauthorizedError extends PlatformError {
  constructor(message: string, code = 'UNAUTHORIZED', options?: ErrorOptions) {
    super(code, message, 401, options);
    this.name = 'UnauthorizedError';
  }
}

/** A request body above what the route accepts (413). */
export class PayloadTooLargeError extends PlatformError {
  constructor(message: string, code = 'PAYLOAD_TOO_LARGE', options?: ErrorOptions) {
    super(code, message, 413, options);
    this.name = 'PayloadTooLargeError';
  }
}

/** A whole uploaded file is rejected; `code` says why (e.g. TOO_MANY_INVALID_RECORDS). */
export class FileRejectedError extends PlatformError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, 422, options);
    this.name = 'FileRejectedError';
  }
}

/** A fault worth retrying (throttling, network); the state machine retries on this name. */
export class TransientError extends PlatformError {
  constructor(message: string, code = 'TRANSIENT', options?: ErrorOptions) {
    super(code, message, 503, options);
    this.name = 'TransientError';
  }
}

/** The deployment is misconfigured (environment, alliance config); retrying cannot help. */
export class ConfigError extends PlatformError {
  constructor(message: string, code = 'CONFIG_INVALID', options?: ErrorOptions) {
    super(code, message, 500, options);
    this.name = 'ConfigError';
  }
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

const INTERNAL_MESSAGE = 'An unexpected error occurred. Please try again later.';

/**
 * The JSON body for an error response. Client errors (4xx) keep their message, which is written
 * for the caller; server-side messages can name internals (environment variables, AWS error
 * names), so 5xx and unknown errors get a generic message.
 */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof PlatformError) {
    const message = err.httpStatus < 500 ? err.message : INTERNAL_MESSAGE;
    return { error: { code: err.code, message } };
  }
  return { error: { code: 'INTERNAL_ERROR', message: INTERNAL_MESSAGE } };
}
