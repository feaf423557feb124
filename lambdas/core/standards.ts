import type { Rules } from './config';
import { monthOf } from './dates';
import type { Allocation, Route, StandardOutcome } from './outcomes';
import { type DayNumber, type PathwayRecord, trustOf } from './record';
import { deriveRoute } from './route';

/**
 * Derives each record's result in the three CWT standards (domain brief §1.2–§1.5): which
 * standards it counts in, clock start and stop, net wait, within/breach, reporting month and the
 * trust(s) it counts for. Derived once per record; aggregation only sums the allocations.
 */

export const FDS_MAX_DAYS = 28;
export const D31_MAX_DAYS = 31;
export const D62_MAX_DAYS = 62;

export const FDS_ROUTES: ReadonlySet<Route> = new Set<Route>([
  'usc',
  'breast-symptomatic',
  'screening',
]);
export const D62_ROUTES: ReadonlySet<Route> = new Set<Route>([...FDS_ROUTES, 'consultant-upgrade']);

/** FDS end reasons counted: 01 cancer diagnosed, 02 ruled out, 04 ruled out with surveillance. */
export const FDS_COUNTED_END_REASONS: ReadonlySet<string> = new Set(['01', '02', '04']);
export const FDS_EXCLUDED_END_REASON = '03';
/** The exclusion reason the optional late-exclusion rule applies to (NCL-Snowpark). */
export const FDS_LATE_EXCLUSION_REASON = '01';

/** Event types counted in 31-day: every cancer treatment event (§2.3). */
export const D31_EVENT_TYPES: ReadonlySet<string> = new Set([
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '07',
  '08',
  '09',
  '10',
  '11',
  '12',
]);
/** First treatments: 31-day "first" stage and the only events in 62-day. */
export const FIRST_TREATMENT_EVENT_TYPES: ReadonlySet<string> = new Set(['01', '07', '12']);
/** Modality 98, all treatment declined: no treatment happened, so no 31/62-day clock stop. */
export const ALL_TREATMENT_DECLINED = '98';

/**
 * How a 62-day record is shared between trusts: `treating` gives it all to the treating trust;
 * `shared` applies the inter-provider breach allocation of domain brief §2.4. The platform
 * stores both (see derive.ts): `62d` is the shared allocation, `62d-treating` the other.
 */
export type AllocationMode = 'treating' | 'shared';

export interface DeriveOptions {
  /** @default 'treating' */
  readonly allocation?: AllocationMode;
}

export interface DerivedOutcomes {
  readonly route: Route;
  readonly outcomes: StandardOutcome[];
}

type StandardRules = Pick<Rules, 'fdsCountExcludedLateAsBreach'>;

export function deriveOutcomes(
  record: PathwayRecord,
  submittingTrust: string,
  rules: StandardRules,
  options: DeriveOptions = {},
): DerivedOutcomes {
  const route = deriveRoute(record);
  const outcomes: StandardOutcome[] = [];
  const fds = fdsOutcome(record, route, submittingTrust, rules);
  if (fds) outcomes.push(fds);
  const d31 = thirtyOneDayOutcome(record, submittingTrust);
  if (d31) outcomes.push(d31);
  const d62 = sixtyTwoDayOutcome(record, route, submittingTrust, options.allocation ?? 'treating');
  if (d62) outcomes.push(d62);
  return { route, outcomes };
}

/**
 * FDS: referral received → the earlier of the FDS end date and the decision to treat, less the
 * first-seen adjustment. Reported in the month of the FDS end date, for the trust where the FDS
 * pathway ended. Consultant upgrades and unknown routes are outside FDS.
 */
export function fdsOutcome(
  record: PathwayRecord,
  route: Route,
  submittingTrust: string,
  rules: StandardRules,
): StandardOutcome | null {
  const end = record.fdsEnd;
  if (end === null || !FDS_ROUTES.has(route) || record.fdsEndReason === null) return null;
  const clockStart = record.referralReceived;
  const dtt = record.decisionToTreat;
  const clockStop = dtt !== null && dtt < end ? dtt : end;
  const waitDays = clockStop - clockStart - record.firstSeenAdjustment;
  const within = waitDays <= FDS_MAX_DAYS;
  if (!FDS_COUNTED_END_REASONS.has(record.fdsEndReason)) {
    const countedAsLateExclusion =
      rules.fdsCountExcludedLateAsBreach &&
      record.fdsEndReason === FDS_EXCLUDED_END_REASON &&
      record.fdsExclusionReason === FDS_LATE_EXCLUSION_REASON &&
      !within;
    if (!countedAsLateExclusion) return null;
  }
  const trust = trustOf(record.orgFdsEnd) ?? submittingTrust;
  return {
    standard: 'fds',
    month: monthOf(end),
    clockStart,
    clockStop,
    waitDays,
    within,
    allocations: treatingAllocation(trust, within),
  };
}

/**
 * 31-day: decision to treat → treatment start, less the treatment adjustment; first and
 * subsequent treatments combined. A DTT recorded after the treatment starts the clock at the
 * treatment date (the validator warns about it). Route-independent.
 */
export function thirtyOneDayOutcome(
  record: PathwayRecord,
  submittingTrust: string,
): StandardOutcome | null {
  const treatment = record.treatmentStart;
  const dtt = record.decisionToTreat;
  const eventType = record.treatmentEventType;
  if (treatment === null || dtt === null || record.primaryDiagnosis === null) return null;
  if (eventType === null || !D31_EVENT_TYPES.has(eventType)) return null;
  if (record.treatmentModality === ALL_TREATMENT_DECLINED) return null;
  const clockStart = Math.min(dtt, treatment);
  const waitDays = treatment - clockStart - record.treatmentAdjustment;
  const within = waitDays <= D31_MAX_DAYS;
  return {
    standard: '31d',
    month: monthOf(treatment),
    clockStart,
    clockStop: treatment,
    waitDays,
    within,
    allocations: treatingAllocation(treatingTrust(record, submittingTrust), within),
    stage: FIRST_TREATMENT_EVENT_TYPES.has(eventType) ? 'first' : 'subsequent',
  };
}

/** A record's 62-day clock, with what the shared-breach rule needs to split it between trusts. */
export interface SixtyTwoDayClock {
  readonly clockStart: DayNumber;
  readonly clockStop: DayNumber;
  readonly waitDays: number;
  readonly within: boolean;
  readonly transfer: SharedBreachInput;
}

/**
 * 62-day: referral received (consultant upgrade date for upgrades) → first definitive treatment,
 * less the first-seen adjustment (not for upgrades, whose clock starts after first being seen)
 * and the treatment adjustment. Null outside the 62-day cohort.
 */
export function sixtyTwoDayClock(
  record: PathwayRecord,
  route: Route,
  submittingTrust: string,
): SixtyTwoDayClock | null {
  const treatment = record.treatmentStart;
  const eventType = record.treatmentEventType;
  if (!D62_ROUTES.has(route) || eventType === null || !FIRST_TREATMENT_EVENT_TYPES.has(eventType)) {
    return null;
  }
  if (treatment === null || record.decisionToTreat === null || record.primaryDiagnosis === null) {
    return null;
  }
  if (record.treatmentModality === ALL_TREATMENT_DECLINED) return null;
  const { clockStart, firstSeenAdjustment } = sixtyTwoDayStart(record, route);
  const waitDays = treatment - clockStart - firstSeenAdjustment - record.treatmentAdjustment;
  return {
    clockStart,
    clockStop: treatment,
    waitDays,
    within: waitDays <= D62_MAX_DAYS,
    transfer: {
      treatingTrust: treatingTrust(record, submittingTrust),
      accountableProvider: trustOf(record.accountableInvestigatingProvider),
      firstSeenTrust: trustOf(record.orgFirstSeen),
      clockStart,
      treatmentStart: treatment,
      transferToTreatment: record.transferToTreatment,
      firstSeenAdjustment,
      treatmentAdjustment: record.treatmentAdjustment,
    },
  };
}

/**
 * Where a 62-day clock starts: the referral, or the upgrade date for consultant upgrades, whose
 * clock starts after first being seen, so the first-seen adjustment does not apply to them.
 */
export function sixtyTwoDayStart(
  record: PathwayRecord,
  route: Route,
): { clockStart: DayNumber; firstSeenAdjustment: number } {
  const upgrade = route === 'consultant-upgrade' ? record.consultantUpgrade : null;
  return upgrade === null
    ? { clockStart: record.referralReceived, firstSeenAdjustment: record.firstSeenAdjustment }
    : { clockStart: upgrade, firstSeenAdjustment: 0 };
}

/** The 62-day outcome, given wholly to the treating trust or shared as domain brief §2.4 says. */
export function sixtyTwoDayOutcome(
  record: PathwayRecord,
  route: Route,
  submittingTrust: string,
  allocation: AllocationMode = 'treating',
): StandardOutcome | null {
  const clock = sixtyTwoDayClock(record, route, submittingTrust);
  if (!clock) return null;
  return {
    standard: '62d',
    month: monthOf(clock.clockStop),
    clockStart: clock.clockStart,
    clockStop: clock.clockStop,
    waitDays: clock.waitDays,
    within: clock.within,
    allocations:
      allocation === 'shared'
        ? sharedBreachAllocation(clock.transfer)
        : treatingAllocation(clock.transfer.treatingTrust, clock.within),
  };
}

function treatingTrust(record: PathwayRecord, submittingTrust: string): string {
  return trustOf(record.orgTreatmentStart) ?? submittingTrust;
}

/**
 * Whole-record allocations by trust: [breach, within]. Every outcome of every record has one, so
 * they are made once per trust and shared (frozen: nothing may change a shared allocation).
 */
const wholeAllocations = new Map<string, readonly [Allocation[], Allocation[]]>();
/** Trusts are a few per alliance; the bound only guards against unexpected input. */
const WHOLE_ALLOCATIONS_MAX = 10_000;

/** The whole record to one trust. */
export function treatingAllocation(trust: string, within: boolean): Allocation[] {
  let pair = wholeAllocations.get(trust);
  if (!pair) {
    if (wholeAllocations.size >= WHOLE_ALLOCATIONS_MAX) wholeAllocations.clear();
    const one = (w: number): Allocation[] =>
      Object.freeze([Object.freeze({ trust, within: w, total: 1 })]) as Allocation[];
    pair = [one(0), one(1)];
    wholeAllocations.set(trust, pair);
  }
  return pair[within ? 1 : 0];
}

export interface SharedBreachInput {
  readonly treatingTrust: string;
  /** Trust of ACCOUNTABLE INVESTIGATING PROVIDER, when recorded. */
  readonly accountableProvider: string | null;
  /** Trust of the first-seen organisation: the diagnosing trust when no accountable provider. */
  readonly firstSeenTrust: string | null;
  readonly clockStart: DayNumber;
  readonly treatmentStart: DayNumber;
  readonly transferToTreatment: DayNumber | null;
  /** The first-seen adjustment as the 62-day wait applied it (0 for upgrades). */
  readonly firstSeenAdjustment: number;
  readonly treatmentAdjustment: number;
}

/** A row of the §2.4 scenario table. */
export type SharedBreachScenario = 1 | 2 | 3 | 4 | 5 | 6;

/**
 * Which §2.4 scenario applies, from d62 (whole wait), d38 (clock start → transfer, the
 * referrer's part) and d24 (transfer → treatment, the treater's part); null for a combination the
 * table does not cover.
 */
export function sharedBreachScenario(
  d62: number,
  d38: number,
  d24: number,
): SharedBreachScenario | null {
  const met62 = d62 <= D62_MAX_DAYS;
  const met38 = d38 <= 38;
  const met24 = d24 <= D62_MAX_DAYS - 38;
  if (met62 && met38) return met24 ? 1 : 2;
  if (met62 && !met38 && met24) return 3;
  if (!met62 && met38 && !met24) return 4;
  if (!met62 && !met38) return met24 ? 5 : 6;
  return null;
}

/** [diagnosing total, diagnosing breach, treating total, treating breach] per scenario. */
const SCENARIO_WEIGHTS: Record<SharedBreachScenario, readonly [number, number, number, number]> = {
  1: [0.5, 0, 0.5, 0],
  2: [0.5, 0, 0.5, 0],
  3: [0, 0, 1, 0],
  4: [0, 0, 1, 1],
  5: [1, 1, 0, 0],
  6: [0.5, 0.5, 0.5, 0.5],
};

/** Why a transfer fits no scenario: a data-quality exception for the submission report. */
export type TransferProblem = 'no-transfer-date' | 'transfer-outside-pathway' | 'no-scenario';

/**
 * How the §2.4 rule reads one 62-day pathway:
 * - `solo`: one trust diagnosed and treated (or no diagnosing trust is known);
 * - `unaccountable`: diagnosed elsewhere but no accountable investigating provider → 50/50;
 * - `scenario`: an accountable provider and a usable transfer date → one of the six scenarios;
 * - `exception`: an accountable provider but no usable transfer date (missing, or outside clock
 *   start…treatment), or waits that fit no scenario → 50/50 and a data-quality exception.
 * `d38`/`d24` are the referrer's and treater's parts of the wait, whenever a different trust
 * diagnosed and the transfer date lies within the pathway (they feed the handover sub-metrics).
 */
export interface TransferAssessment {
  readonly kind: 'solo' | 'unaccountable' | 'scenario' | 'exception';
  readonly diagnosingTrust: string | null;
  readonly treatingTrust: string;
  readonly d62: number;
  readonly d38: number | null;
  readonly d24: number | null;
  readonly scenario: SharedBreachScenario | null;
  readonly problem: TransferProblem | null;
}

export function assessTransfer(input: SharedBreachInput): TransferAssessment {
  const treating = input.treatingTrust;
  const diagnosing = input.accountableProvider ?? input.firstSeenTrust;
  const d62 =
    input.treatmentStart - input.clockStart - input.firstSeenAdjustment - input.treatmentAdjustment;
  // One object literal per outcome (no spreads): this runs for every 62-day record.
  const assessment = (
    kind: TransferAssessment['kind'],
    d38: number | null,
    d24: number | null,
    scenario: SharedBreachScenario | null,
    problem: TransferProblem | null,
  ): TransferAssessment => ({
    kind,
    diagnosingTrust: diagnosing,
    treatingTrust: treating,
    d62,
    d38,
    d24,
    scenario,
    problem,
  });
  if (diagnosing === null || diagnosing === treating) {
    return assessment('solo', null, null, null, null);
  }

  const transfer = input.transferToTreatment;
  const usable =
    transfer !== null && transfer >= input.clockStart && transfer <= input.treatmentStart;
  const d38 = usable ? transfer - input.clockStart - input.firstSeenAdjustment : null;
  const d24 = usable ? input.treatmentStart - transfer - input.treatmentAdjustment : null;
  if (input.accountableProvider === null) {
    return assessment('unaccountable', d38, d24, null, null);
  }
  if (d38 === null || d24 === null) {
    const problem = transfer === null ? 'no-transfer-date' : 'transfer-outside-pathway';
    return assessment('exception', null, null, null, problem);
  }
  const scenario = sharedBreachScenario(d62, d38, d24);
  // d62 = d38 + d24 by construction, so the two combinations the table leaves out cannot occur;
  // they are still routed to an exception rather than guessed.
  if (scenario === null) return assessment('exception', d38, d24, null, 'no-scenario');
  return assessment('scenario', d38, d24, scenario, null);
}

/**
 * Inter-provider 62-day allocation (domain brief §2.4, NCL-Snowpark `performance_62day`): solo
 * → weight 1 to the treating trust; no accountable provider, or an exception → 50/50 (denominator
 * 0.5 each, within 0.5 each when the 62 days were met); otherwise the scenario's weights.
 * Zero-weight shares are left out.
 */
export function sharedBreachAllocation(input: SharedBreachInput): Allocation[] {
  return allocationOf(assessTransfer(input));
}

/** The shares a transfer assessment gives each trust. */
export function allocationOf(assessment: TransferAssessment): Allocation[] {
  const { diagnosingTrust: diagnosing, treatingTrust: treating, d62, scenario } = assessment;
  const met62 = d62 <= D62_MAX_DAYS;
  if (diagnosing === null || assessment.kind === 'solo') return treatingAllocation(treating, met62);
  if (scenario === null) {
    const within = met62 ? 0.5 : 0;
    return [
      { trust: diagnosing, within, total: 0.5 },
      { trust: treating, within, total: 0.5 },
    ];
  }
  const [diagnosingTotal, diagnosingBreach, treatingTotal, treatingBreach] =
    SCENARIO_WEIGHTS[scenario];
  const allocations: Allocation[] = [];
  if (diagnosingTotal > 0) {
    allocations.push({
      trust: diagnosing,
      within: diagnosingTotal - diagnosingBreach,
      total: diagnosingTotal,
    });
  }
  if (treatingTotal > 0) {
    allocations.push({
      trust: treating,
      within: treatingTotal - treatingBreach,
      total: treatingTotal,
    });
  }
  return allocations;
}
