import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  FileRejectedError,
  ForbiddenError,
  NotFoundError,
  PlatformError,
  TransientError,
  toErrorBody,
  UnauthorizedError,
  ValidationError,
} from '../../../../lambdas/core/errors';

describe('platform errors', () => {
  it.each([
    [new ValidationError('bad'), 'ValidationError', 'VALIDATION_FAILED', 400],
    [new NotFoundError('none'), 'NotFoundError', 'NOT_FOUND', 404],
    [new ForbiddenError('no'), 'ForbiddenError', 'FORBIDDEN', 403],
    [new UnauthorizedError('who'), 'UnauthorizedError', 'UNAUTHORIZED', 401],
    [
      new FileRejectedError('FILE_NO_RECORDS', 'empty'),
      'FileRejectedError',
      'FILE_NO_RECORDS',
      422,
    ],
    [new TransientError('later'), 'TransientError', 'TRANSIENT', 503],
    [new ConfigError('env'), 'ConfigError', 'CONFIG_INVALID', 500],
  ])('%s has name %s, code %s and status %i', (error, name, code, status) => {
    // Assess: Step Functions matches on `name`, so it must be the literal class name.
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(status);
  });

  it('keeps a cause', () => {
    // Prepare
    const cause = new Error('socket hang up');

    // Act
    const error = new TransientError('S3 read failed', 'TRANSIENT', { cause });

    // Assess
    expect(error.cause).toBe(cause);
  });
});

describe('toErrorBody', () => {
  it('passes client errors through', () => {
    // Assess
    expect(toErrorBody(new NotFoundError('Submission x not found.'))).toEqual({
      error: { code: 'NOT_FOUND', message: 'Submission x not found.' },
    });
  });

  it('hides the message of server-side and unknown errors', () => {
    // Act
    const config = toErrorBody(new ConfigError('BUCKET_NAME is not set'));
    const unknown = toErrorBody(new Error('secret internals'));
    const thrown = toErrorBody('a string');

    // Assess
    expect(config.error.code).toBe('CONFIG_INVALID');
    expect(config.error.message).not.toContain('BUCKET_NAME');
    expect(unknown.error.code).toBe('INTERNAL_ERROR');
    expect(unknown.error.message).not.toContain('secret');
    expect(thrown.error.code).toBe('INTERNAL_ERROR');
  });
});
