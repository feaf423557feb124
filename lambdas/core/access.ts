import { ForbiddenError, UnauthorizedError } from './errors';

/**
 * Who is asking, and what they may see. Groups come from the identity provider (Cognito in the
 * cloud, the local issuer locally): `alliance` sees every trust; `trust-{ODS}` sees its own
 * trust only. API Gateway has already verified the token; the handlers enforce the scope again.
 */
export interface Caller {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly alliance: boolean;
  /** ODS codes of the trusts the caller belongs to (from `trust-{ODS}` groups). */
  readonly trusts: readonly string[];
}

/**
 * API Gateway passes Cognito claims as strings; `cognito:groups` arrives as "a,b", "[a b]" or,
 * from other authorisers, an array.
 */
export function callerFromClaims(claims: Record<string, unknown> | null | undefined): Caller {
  if (!claims) throw new UnauthorizedError('No verified identity on the request.');
  const raw = claims['cognito:groups'];
  const groups = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw
          .replace(/^\[|\]$/g, '')
          .split(/[,\s]+/)
          .filter(Boolean)
      : [];
  const trusts = groups
    .map((group) => /^trust-([A-Z0-9]{3})$/.exec(group)?.[1])
    .filter((ods): ods is string => Boolean(ods));
  return {
    subject: String(claims.sub ?? 'unknown'),
    groups,
    alliance: groups.includes('alliance'),
    trusts,
  };
}

/** Throws unless the caller may see this trust's data. */
export function assertCanSeeTrust(caller: Caller, trust: string): void {
  if (caller.alliance || caller.trusts.includes(trust)) return;
  // The trust is not named: asked by submission id, naming it would tell who submitted it.
  throw new ForbiddenError("Your account may not see this trust's data.");
}

/**
 * The trust a request is about: the one asked for (if allowed), or for a trust user who did not
 * ask, their own trust. Alliance users without a trust filter see everything (null).
 */
export function scopeTrust(caller: Caller, requested: string | undefined): string | null {
  if (requested) {
    assertCanSeeTrust(caller, requested);
    return requested;
  }
  if (caller.alliance) return null;
  const own = caller.trusts[0];
  if (!own) throw new ForbiddenError('Your account is not a member of any trust or the alliance.');
  return own;
}
