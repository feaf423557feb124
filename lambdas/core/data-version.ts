/**
 * Versions of the stored figures, per reporting period, as the report API's warm cache reads
 * them. A writer that changes what a period's figures are (Aggregate: a submission's
 * contributions and the trust's CURRENT pointer) first records a change marker for the period,
 * then writes, then replaces the period's token with a new random one and removes its marker.
 * A reader reads the versions BEFORE the figures, so figures cached under a token are never
 * older than the token; a period with a change in progress is read afresh and not cached.
 */

/** One period's version as stored. */
export interface PeriodVersion {
  /** Random, replaced on every change; null for a period no change has been recorded for. */
  readonly token: string | null;
  /** Changes begun and not (yet) ended: the writer's submission id and when it began. */
  readonly changes: readonly { readonly submissionId: string; readonly startedAt: number }[];
}

/**
 * How long a change marker can belong to a writer that is still writing. Aggregate runs in a
 * Lambda (15 minutes at most) and a retry writes a fresh marker before writing again, so a marker
 * older than this belongs to an invocation that died between its writes and will write no more.
 */
export const CHANGE_LIFETIME_MS = 30 * 60 * 1000;

/** Stands for "no token yet": figures written before versions existed, or none at all. */
const NO_TOKEN = '-';

/**
 * The key a period's figures may be cached under, or null while a change is in progress (read
 * them afresh and keep nothing). A dead change (older than `lifetime`) may have written without
 * replacing the token, so it becomes part of the key: figures cached before it died are never
 * served after, and figures read after it died may be cached.
 */
export function periodVersionKey(
  version: PeriodVersion | undefined,
  now: number,
  lifetime = CHANGE_LIFETIME_MS,
): string | null {
  if (!version) return NO_TOKEN;
  if (version.changes.some((change) => now - change.startedAt < lifetime)) return null;
  const dead = version.changes.map((change) => `${change.submissionId}@${change.startedAt}`);
  return [version.token ?? NO_TOKEN, ...dead.sort()].join('+');
}
