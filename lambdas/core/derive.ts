import { type OpenPathway, openPathway } from './backlog';
import type { Rules } from './config';
import type { Route, StandardOutcome } from './outcomes';
import type { PathwayRecord } from './record';
import { deriveRoute } from './route';
import { sixtyTwoDayVariants, type TransferException } from './shared-breaches';
import { fdsOutcome, thirtyOneDayOutcome } from './standards';

/** Everything the enrichment step derives from one record, once, before aggregation sums it. */
export interface DerivedRecord {
  readonly route: Route;
  /** fds, 31d, and every stored 62-day figure (62d shared, 62d-treating, 38d, 24d). */
  readonly outcomes: StandardOutcome[];
  /** Set when the pathway is open: it counts in the backlog. */
  readonly openPathway: OpenPathway | null;
  /** A transfer that fits no breach-allocation scenario (for the submission report). */
  readonly exception: TransferException | null;
}

export function deriveRecord(
  record: PathwayRecord,
  submittingTrust: string,
  rules: Pick<Rules, 'fdsCountExcludedLateAsBreach'>,
): DerivedRecord {
  const route = deriveRoute(record);
  const outcomes: StandardOutcome[] = [];
  const fds = fdsOutcome(record, route, submittingTrust, rules);
  if (fds) outcomes.push(fds);
  const d31 = thirtyOneDayOutcome(record, submittingTrust);
  if (d31) outcomes.push(d31);
  const sixtyTwo = sixtyTwoDayVariants(record, route, submittingTrust);
  outcomes.push(...sixtyTwo.outcomes);
  return {
    route,
    outcomes,
    openPathway: openPathway(record, route, submittingTrust),
    exception: sixtyTwo.exception,
  };
}
