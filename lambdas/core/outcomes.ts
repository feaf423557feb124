import type { OutcomeStandard } from './config';

/** How a pathway entered the cancer waiting-times system (domain brief §1.4). */
export const ROUTES = [
  'usc',
  'breast-symptomatic',
  'screening',
  'consultant-upgrade',
  'unknown',
] as const;
export type Route = (typeof ROUTES)[number];

/**
 * One trust's share of a record in a standard. Weights are fractions so that inter-provider
 * shared breaches (0.5 / 0.5, scenario-based reallocation) add up exactly.
 */
export interface Allocation {
  readonly trust: string;
  /** Weight counted as within the standard (0…1). */
  readonly within: number;
  /** Weight counted in the denominator (0…1). */
  readonly total: number;
}

/** A record's result in one standard, derived once and summed by aggregation. */
export interface StandardOutcome {
  /** A headline standard, or a stored variant of one (`62d-treating`, `38d`, `24d`). */
  readonly standard: OutcomeStandard;
  /** Reporting month (YYYY-MM): month of the clock stop. */
  readonly month: string;
  /** Clock start and stop as day numbers (after the DTT/FDS-end rules). */
  readonly clockStart: number;
  readonly clockStop: number;
  /** Net wait in days: stop − start − adjustments. */
  readonly waitDays: number;
  readonly within: boolean;
  readonly allocations: readonly Allocation[];
  /** 31-day only: first or subsequent treatment. */
  readonly stage?: 'first' | 'subsequent';
}
