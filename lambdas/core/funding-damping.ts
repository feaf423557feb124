import type { AmountBounds } from './funding-rounding';

/**
 * Pace of change (domain brief §5.2 step 5): no unit's allocation moves more than ±x% from its
 * previous one. The previous allocation is first scaled to this budget ("baseline"), so the cap
 * limits the change in a unit's share of the pot: a budget that grows 10% gives every unit 10%
 * more before the cap applies, and the caps always leave room for the budget to be spent
 * exactly (Σ lower = budget × (1 − x) ≤ budget ≤ budget × (1 + x) = Σ upper).
 */

export interface DampingBounds extends AmountBounds {
  readonly previous: number;
  /** previous × budget / Σ previous. */
  readonly baseline: number;
}

export type DampingLimit = 'lower' | 'upper' | null;

export interface DampedAmounts {
  readonly amounts: number[];
  /** Which cap, if any, each amount sits on (the nearer formula amount decides ties). */
  readonly limitedBy: DampingLimit[];
}

/** Bounds for each unit from its previous amount; Σ previous must be positive. */
export function dampingBounds(
  previous: readonly number[],
  budget: number,
  maxChange: number,
): DampingBounds[] {
  const total = previous.reduce((sum, amount) => sum + amount, 0);
  if (!(total > 0)) throw new RangeError('The previous allocation must total more than zero.');
  return previous.map((amount) => {
    const baseline = (amount * budget) / total;
    return {
      previous: amount,
      baseline,
      lower: baseline * (1 - maxChange),
      upper: baseline * (1 + maxChange),
    };
  });
}

const ITERATIONS = 200;

/**
 * The capped amounts closest in proportion to the formula's: every amount is λ × its formula
 * amount clamped to its bounds, with the one λ that makes them sum to the budget (found by
 * bisection; the sum is continuous and non-decreasing in λ). Units whose formula amount is zero
 * only move off their lower bound when every other unit is at its upper bound.
 */
export function damp(
  formula: readonly number[],
  bounds: readonly AmountBounds[],
  budget: number,
): DampedAmounts {
  const clamp = (value: number, i: number) => {
    const { lower, upper } = bounds[i] ?? { lower: 0, upper: Number.POSITIVE_INFINITY };
    return Math.min(upper, Math.max(lower, value));
  };
  const at = (lambda: number) => formula.map((amount, i) => clamp(lambda * amount, i));
  const total = (amounts: readonly number[]) => amounts.reduce((sum, amount) => sum + amount, 0);

  let high = 1;
  for (const [i, amount] of formula.entries()) {
    const upper = bounds[i]?.upper ?? 0;
    if (amount > 0) high = Math.max(high, upper / amount);
  }
  let amounts: number[];
  if (total(at(high)) < budget) {
    // Only zero-formula units can take the rest: move them together from lower towards upper.
    amounts = at(high);
    const rest = budget - total(amounts);
    const room = formula.reduce(
      (sum, amount, i) =>
        amount > 0 ? sum : sum + ((bounds[i]?.upper ?? 0) - (bounds[i]?.lower ?? 0)),
      0,
    );
    const fraction = room > 0 ? Math.min(1, rest / room) : 0;
    amounts = amounts.map((amount, i) =>
      (formula[i] ?? 0) > 0
        ? amount
        : (bounds[i]?.lower ?? 0) + fraction * ((bounds[i]?.upper ?? 0) - (bounds[i]?.lower ?? 0)),
    );
  } else {
    let low = 0;
    for (let i = 0; i < ITERATIONS && low < high; i += 1) {
      const middle = (low + high) / 2;
      if (middle === low || middle === high) break;
      if (total(at(middle)) < budget) low = middle;
      else high = middle;
    }
    amounts = at(high);
  }
  // The cap an amount sits on; with a ±0% cap (lower = upper), the side the formula pushed.
  const tolerance = 1e-9 * Math.max(1, budget);
  const limitedBy = amounts.map((amount, i): DampingLimit => {
    const { lower, upper } = bounds[i] ?? { lower: 0, upper: Number.POSITIVE_INFINITY };
    const atLower = amount <= lower + tolerance;
    const atUpper = amount >= upper - tolerance;
    if (atLower && atUpper) return (formula[i] ?? 0) >= (lower + upper) / 2 ? 'upper' : 'lower';
    return atLower ? 'lower' : atUpper ? 'upper' : null;
  });
  return { amounts, limitedBy };
}
