import { monthOf } from './dates';
import type { Route, StandardOutcome } from './outcomes';
import type { ColumnName, PathwayRecord } from './record';
import {
  allocationOf,
  assessTransfer,
  D62_MAX_DAYS,
  sixtyTwoDayClock,
  type TransferAssessment,
  type TransferProblem,
  treatingAllocation,
} from './standards';

/**
 * Inter-provider transfers (domain brief §2.4): every 62-day pathway is stored under both
 * allocations — `62d` shared between the diagnosing and treating trusts, `62d-treating` wholly
 * with the treating trust — so both views come from the same submissions and alliance totals
 * agree. Transfers also give the handover sub-metrics: `38d` (the referring trust handed over
 * by day 38) and `24d` (the treating trust treated within 24 days of the transfer).
 */

/** National single maximum handover date (National Cancer Breach Allocation Guidance). */
export const HANDOVER_MAX_DAYS = 38;
/** What the treating trust has left of the 62 days after a day-38 handover. */
export const TREATER_MAX_DAYS = D62_MAX_DAYS - HANDOVER_MAX_DAYS;

/** Report code of a transfer that fits no allocation scenario. */
export const IPT_NO_SCENARIO = 'IPT_NO_SCENARIO' as const;

/** A data-quality exception of one record, for the submission report (no values echoed). */
export interface TransferException {
  readonly code: typeof IPT_NO_SCENARIO;
  readonly field: ColumnName;
  readonly message: string;
}

const EXCEPTION_TEXT: Record<TransferProblem, { field: ColumnName; message: string }> = {
  'no-transfer-date': {
    field: 'transfer_to_treatment_date',
    message:
      'Inter-provider transfer with an accountable investigating provider but no transfer_to_treatment_date: the 62-day wait is split 50/50 instead of by scenario.',
  },
  'transfer-outside-pathway': {
    field: 'transfer_to_treatment_date',
    message:
      'transfer_to_treatment_date is before the 62-day clock start or after treatment: the 62-day wait is split 50/50 instead of by scenario.',
  },
  'no-scenario': {
    field: 'transfer_to_treatment_date',
    message:
      'The 62-, 38- and 24-day waits fit none of the six breach-allocation scenarios: the 62-day wait is split 50/50.',
  },
};

export interface SixtyTwoDayVariants {
  /** `62d` (shared), `62d-treating`, and `38d`/`24d` for a transfer with usable dates. */
  readonly outcomes: StandardOutcome[];
  readonly assessment: TransferAssessment | null;
  readonly exception: TransferException | null;
}

const NONE: SixtyTwoDayVariants = { outcomes: [], assessment: null, exception: null };

/**
 * Every stored 62-day figure of one record. All of them are reported in the month of the
 * treatment (the 62-day clock stop), so a transfer's halves and its handover figures always land
 * in the same period.
 */
export function sixtyTwoDayVariants(
  record: PathwayRecord,
  route: Route,
  submittingTrust: string,
): SixtyTwoDayVariants {
  const clock = sixtyTwoDayClock(record, route, submittingTrust);
  if (!clock) return NONE;
  const assessment = assessTransfer(clock.transfer);
  const month = monthOf(clock.clockStop);
  const { clockStart, clockStop, waitDays, within } = clock;
  // Literals rather than spreads of a common part: this runs for every 62-day record.
  const outcomes: StandardOutcome[] = [
    {
      standard: '62d',
      month,
      clockStart,
      clockStop,
      waitDays,
      within,
      allocations: allocationOf(assessment),
    },
    {
      standard: '62d-treating',
      month,
      clockStart,
      clockStop,
      waitDays,
      within,
      allocations: treatingAllocation(assessment.treatingTrust, within),
    },
  ];
  const { d38, d24, diagnosingTrust } = assessment;
  const transfer = record.transferToTreatment;
  if (d38 !== null && d24 !== null && diagnosingTrust !== null && transfer !== null) {
    const handedOver = d38 <= HANDOVER_MAX_DAYS;
    const treatedInTime = d24 <= TREATER_MAX_DAYS;
    outcomes.push(
      {
        standard: '38d',
        month,
        clockStart: clock.clockStart,
        clockStop: transfer,
        waitDays: d38,
        within: handedOver,
        allocations: treatingAllocation(diagnosingTrust, handedOver),
      },
      {
        standard: '24d',
        month,
        clockStart: transfer,
        clockStop: clock.clockStop,
        waitDays: d24,
        within: treatedInTime,
        allocations: treatingAllocation(assessment.treatingTrust, treatedInTime),
      },
    );
  }
  const exception =
    assessment.problem === null
      ? null
      : { code: IPT_NO_SCENARIO, ...EXCEPTION_TEXT[assessment.problem] };
  return { outcomes, assessment, exception };
}
