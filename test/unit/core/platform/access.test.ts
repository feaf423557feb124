import { describe, expect, it } from 'vitest';
import { assertCanSeeTrust, callerFromClaims, scopeTrust } from '../../../../lambdas/core/access';
import { ForbiddenError, UnauthorizedError } from '../../../../lambdas/core/errors';

describe('callers', () => {
  it.each([
    ['alliance', ['alliance']],
    ['alliance,trust-R1H', ['alliance', 'trust-R1H']],
    ['[trust-RF4 trust-RQX]', ['trust-RF4', 'trust-RQX']],
  ])('reads cognito:groups given as the string %s', (raw, groups) => {
    expect(callerFromClaims({ sub: 'u1', 'cognito:groups': raw }).groups).toEqual(groups);
  });

  it('reads groups given as an array and extracts trust codes', () => {
    const caller = callerFromClaims({ sub: 'u1', 'cognito:groups': ['trust-RF4', 'other'] });
    expect(caller.trusts).toEqual(['RF4']);
    expect(caller.alliance).toBe(false);
  });

  it('refuses a request with no verified claims', () => {
    expect(() => callerFromClaims(undefined)).toThrow(UnauthorizedError);
  });
});

describe('trust scope', () => {
  const alliance = callerFromClaims({ sub: 'a', 'cognito:groups': 'alliance' });
  const r1h = callerFromClaims({ sub: 'b', 'cognito:groups': 'trust-R1H' });
  const nobody = callerFromClaims({ sub: 'c', 'cognito:groups': 'readers' });

  it('lets the alliance see every trust and defaults to all trusts', () => {
    expect(() => assertCanSeeTrust(alliance, 'RF4')).not.toThrow();
    expect(scopeTrust(alliance, undefined)).toBeNull();
    expect(scopeTrust(alliance, 'RQX')).toBe('RQX');
  });

  it('keeps a trust user to their own trust', () => {
    expect(scopeTrust(r1h, undefined)).toBe('R1H');
    expect(scopeTrust(r1h, 'R1H')).toBe('R1H');
    expect(() => scopeTrust(r1h, 'RF4')).toThrow(ForbiddenError);
  });

  it('refuses a caller in neither kind of group', () => {
    expect(() => scopeTrust(nobody, undefined)).toThrow(ForbiddenError);
  });
});
