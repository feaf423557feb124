import { describe, expect, it } from 'vitest';
import { parseUploadKey, submissionIdFor, uploadKeyFor } from '../../../../lambdas/core/submission';

describe('submission ids', () => {
  it('is stable for one object version and ignores ETag quoting', () => {
    // Prepare
    const object = { bucket: 'uploads', key: 'uploads/RF4/cwt/2025-06/a.csv', etag: '"abc"' };

    // Act
    const fromEvent = submissionIdFor({ ...object, etag: 'abc' });
    const fromPut = submissionIdFor(object);

    // Assess: S3 events carry the ETag unquoted, PutObject returns it quoted
    expect(fromEvent).toBe(fromPut);
    expect(fromEvent).toMatch(/^sub-[0-9a-f]{24}$/);
  });

  it('differs when the content (ETag) or version differs', () => {
    const base = { bucket: 'uploads', key: 'uploads/RF4/cwt/2025-06/a.csv' };
    const ids = new Set([
      submissionIdFor({ ...base, etag: 'one' }),
      submissionIdFor({ ...base, etag: 'two' }),
      submissionIdFor({ ...base, etag: 'one', versionId: 'v2' }),
      submissionIdFor({ ...base, key: 'uploads/RF4/cwt/2025-07/a.csv', etag: 'one' }),
    ]);
    expect(ids.size).toBe(4);
  });
});

describe('upload keys', () => {
  it('round-trips the contract key', () => {
    const key = uploadKeyFor('R1H', 'cwt', '2025-09', 'barts sept.csv');
    expect(key).toBe('uploads/R1H/cwt/2025-09/barts sept.csv');
    expect(parseUploadKey(key)).toEqual({
      trust: 'R1H',
      dataset: 'cwt',
      period: '2025-09',
      fileName: 'barts sept.csv',
    });
  });

  it.each([
    ['uploads/R1H/cwt/2025-13/a.csv', 'reporting period'],
    ['uploads/r1h/cwt/2025-09/a.csv', 'ODS'],
    ['uploads/R1H/cosd/2025-09/a.csv', 'Unknown dataset'],
    ['uploads/R1H/cwt/a.csv', 'must look like'],
    ['uploads/R1H/cwt/2025-09/extra/a.csv', 'must look like'],
    ['staging/R1H/cwt/2025-09/a.csv', 'must look like'],
  ])('explains why %s does not fit', (key, reason) => {
    const parsed = parseUploadKey(key);
    expect('problem' in parsed && parsed.problem).toContain(reason);
  });
});
