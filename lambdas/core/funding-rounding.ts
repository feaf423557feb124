/**
 * Whole-unit amounts that add up to the budget exactly (domain brief §5.2 step 6): the largest
 * remainder (Hamilton) method, extended to respect per-unit bounds (damping) where whole units
 * allow it.
 */

export interface AmountBounds {
  readonly lower: number;
  readonly upper: number;
}

export interface RoundedAmounts {
  /** Whole multiples of the rounding unit, in the input's order; they sum to the budget. */
  readonly amounts: number[];
  /**
   * True when some bound had to give way by less than one rounding unit because no whole-unit
   * answer met them all (e.g. a ±0% cap on an amount that is not a whole multiple).
   */
  readonly boundsRelaxed: boolean;
}

/** Remainders closer than this count as equal, so floating-point noise never decides a tie. */
const TIE = 1e-9;
const snap = (value: number) => Math.round(value / TIE) * TIE;

/**
 * Rounds `exact` (which sums to `budget`) to multiples of `unit`. Without bounds: each amount is
 * rounded down, and the units left over go one each to the largest remainders (ties: the earlier
 * unit). With bounds: the same, but no amount goes below its lower or above its upper bound when
 * some whole-unit answer allows that.
 *
 * @param budget a whole multiple of `unit`
 */
export function roundToUnit(
  exact: readonly number[],
  budget: number,
  unit: number,
  bounds?: readonly AmountBounds[],
): RoundedAmounts {
  const total = Math.round(budget / unit);
  const quotas = exact.map((amount) => amount / unit);
  const strict = quotas.map((_, i) => wholeBounds(bounds?.[i], unit, total, 'strict'));
  const feasible =
    strict.every(([low, high]) => low <= high) &&
    sum(strict.map(([low]) => low)) <= total &&
    sum(strict.map(([, high]) => high)) >= total;
  const limits = feasible
    ? strict
    : quotas.map((_, i) => wholeBounds(bounds?.[i], unit, total, 'relaxed'));

  const counts = quotas.map((quota, i) => {
    const [low, high] = limits[i] ?? [0, total];
    return Math.min(high, Math.max(low, Math.floor(quota + TIE)));
  });
  let missing = total - sum(counts);
  // Each step moves one unit to (or from) the amount furthest below (above) its exact value.
  while (missing !== 0) {
    const step = missing > 0 ? 1 : -1;
    let best = -1;
    let bestGap = 0;
    counts.forEach((count, i) => {
      const [low, high] = limits[i] ?? [0, total];
      if (step > 0 ? count >= high : count <= low) return;
      const gap = snap((quotas[i] ?? 0) - count) * step;
      if (best < 0 || gap > bestGap) {
        best = i;
        bestGap = gap;
      }
    });
    if (best < 0) throw new Error('No whole-unit allocation fits the bounds.');
    counts[best] = (counts[best] ?? 0) + step;
    missing -= step;
  }
  return { amounts: counts.map((count) => count * unit), boundsRelaxed: !feasible };
}

function wholeBounds(
  bounds: AmountBounds | undefined,
  unit: number,
  total: number,
  mode: 'strict' | 'relaxed',
): [number, number] {
  if (!bounds) return [0, total];
  const low = bounds.lower / unit;
  const high = bounds.upper / unit;
  return mode === 'strict'
    ? [Math.max(0, Math.ceil(low - TIE)), Math.min(total, Math.floor(high + TIE))]
    : [Math.max(0, Math.floor(low + TIE)), Math.min(total, Math.ceil(high - TIE))];
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
