import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../lib/local/event-pattern';

const event = {
  source: 'aws.s3',
  'detail-type': 'Object Created',
  resources: ['arn:aws:s3:::uploads'],
  detail: {
    bucket: { name: 'uploads' },
    object: { key: 'uploads/R1H/cwt/2025-01/file.csv', size: 120 },
    reason: 'PutObject',
  },
};

describe('matchesPattern', () => {
  it('matches exact values from lists, nested objects and array fields', () => {
    expect(
      matchesPattern(
        {
          source: ['aws.s3'],
          'detail-type': ['Object Created', 'Object Deleted'],
          resources: ['arn:aws:s3:::uploads'],
          detail: { bucket: { name: ['uploads'] } },
        },
        event,
      ),
    ).toBe(true);
    expect(matchesPattern({ source: ['aws.ec2'] }, event)).toBe(false);
    expect(matchesPattern({ detail: { bucket: { name: ['other'] } } }, event)).toBe(false);
  });

  it('applies prefix and suffix to the object key', () => {
    const withKey = (rule: unknown) => ({ detail: { object: { key: [rule] } } });
    expect(matchesPattern(withKey({ prefix: 'uploads/' }), event)).toBe(true);
    expect(matchesPattern(withKey({ prefix: 'staging/' }), event)).toBe(false);
    expect(matchesPattern(withKey({ suffix: '.csv' }), event)).toBe(true);
    expect(matchesPattern(withKey({ suffix: '.xlsx' }), event)).toBe(false);
  });

  it('tests presence with exists', () => {
    expect(matchesPattern({ detail: { reason: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { requester: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { requester: [{ exists: true }] } }, event)).toBe(false);
  });

  it('supports anything-but and numeric ranges', () => {
    expect(matchesPattern({ detail: { reason: [{ 'anything-but': 'CopyObject' }] } }, event)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { reason: [{ 'anything-but': ['PutObject'] }] } }, event)).toBe(
      false,
    );
    const size = (numeric: unknown[]) => ({ detail: { object: { size: [{ numeric }] } } });
    expect(matchesPattern(size(['>', 100, '<=', 120]), event)).toBe(true);
    expect(matchesPattern(size(['>', 120]), event)).toBe(false);
  });

  it('requires a field that a value rule names to be present', () => {
    expect(matchesPattern({ detail: { missing: ['x'] } }, event)).toBe(false);
  });
});
