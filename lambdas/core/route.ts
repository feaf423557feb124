import type { Route } from './outcomes';
import type { PathwayRecord } from './record';

/** SOURCE OF REFERRAL 17: referral from a national screening programme. */
export const SCREENING_SOURCE = '17';
/** Cancer referral type 16: exhibited (non-cancer) breast symptoms. */
export const BREAST_SYMPTOMATIC_TYPE = '16';

type RouteFields = Pick<
  PathwayRecord,
  'priorityType' | 'sourceOfReferral' | 'cancerReferralType' | 'consultantUpgrade'
>;

/**
 * How the pathway entered the cancer waiting-times system (domain brief §1.4, NCL-Snowpark
 * `feature_dynamic_pathway.py`). The four national definitions are mutually exclusive, so the
 * order below only makes the precedence explicit:
 * 1. source 17 decides first: screening when priority is 2 (urgent), otherwise unknown — an
 *    upgrade date does not make a screening-sourced referral an upgrade (upgrades need source ≠ 17);
 * 2. an upgrade date wins over the priority type: a priority-3 referral with an upgrade date is a
 *    consultant upgrade, never USC or breast symptomatic;
 * 3. priority 3 is breast symptomatic for referral type 16 and USC otherwise (a missing referral
 *    type or source counts as "not 16" / "not 17", as in the public implementation);
 * 4. anything else (routine, or urgent without a screening source) is unknown.
 */
export function deriveRoute(record: RouteFields): Route {
  if (record.sourceOfReferral === SCREENING_SOURCE) {
    return record.priorityType === '2' ? 'screening' : 'unknown';
  }
  if (record.consultantUpgrade !== null) return 'consultant-upgrade';
  if (record.priorityType === '3') {
    return record.cancerReferralType === BREAST_SYMPTOMATIC_TYPE ? 'breast-symptomatic' : 'usc';
  }
  return 'unknown';
}
