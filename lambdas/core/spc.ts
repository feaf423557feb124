/**
 * Statistical process control as NHS England's "Making Data Count" reads a monthly measure: an
 * XmR chart (individual values with limits from the average moving range) and four rules for
 * special-cause variation. Everything else is common-cause variation — noise to leave alone.
 *
 * - mean = average of the values; moving range = |xᵢ − xᵢ₋₁|; mR̄ = average moving range;
 * - process limits = mean ± 2.66 · mR̄ (2.66 = 3 / d₂, d₂ = 1.128 for ranges of two points,
 *   so the limits sit three sigma from the mean);
 * - near-limit lines = mean ± (2/3) · 2.66 · mR̄ (two sigma).
 *
 * Rules (a point may fire several):
 * - `outside-limits`: a point strictly above the upper or below the lower process limit;
 * - `run`: 7 or more consecutive points strictly on one side of the mean (a point on the mean
 *   ends a run);
 * - `trend`: 6 or more consecutive points each strictly higher (or lower) than the one before
 *   (an equal value ends a trend);
 * - `two-of-three`: within any 3 consecutive points, 2 or more strictly beyond the same
 *   near-limit line; the points beyond it are flagged (points outside the limits count too).
 *
 * The limits are not clipped to 0–100%: they are statistical bounds, not possible values.
 */

export const SPC_RULES = ['outside-limits', 'run', 'trend', 'two-of-three'] as const;
export type SpcRule = (typeof SPC_RULES)[number];

/** Which way is good: all three cancer standards are "higher is better" percentages. */
export type Polarity = 'higher-is-better' | 'lower-is-better';

export type Variation = 'common-cause' | 'improvement' | 'concern';

/** 3 / d₂ for moving ranges of two consecutive points. */
export const PROCESS_LIMIT_FACTOR = 2.66;
export const RUN_LENGTH = 7;
export const TREND_LENGTH = 6;

/** Float noise allowance, so a value equal to a limit by hand is not "beyond" it by rounding. */
const EPSILON = 1e-9;

export interface SpcPoint {
  readonly value: number;
  /** Rules that flag this point, in SPC_RULES order. */
  readonly rules: SpcRule[];
  /**
   * `concern` when a rule points the bad way, `improvement` when every rule points the good way,
   * `common-cause` when none fired. A point caught both ways (the peak of a trend that turns) is a
   * concern: alerts exist to catch trouble early.
   */
  readonly variation: Variation;
}

export interface XmrAnalysis {
  readonly mean: number;
  readonly movingRangeMean: number;
  readonly lowerProcessLimit: number;
  readonly upperProcessLimit: number;
  readonly lowerNearLimit: number;
  readonly upperNearLimit: number;
  readonly points: SpcPoint[];
}

/** +1 above / rising, −1 below / falling. */
type Side = 1 | -1;

/**
 * The XmR analysis of consecutive values (oldest first; leave months without data out). Null
 * with fewer than two values: one point has no moving range.
 */
export function analyseXmr(
  values: readonly number[],
  polarity: Polarity = 'higher-is-better',
): XmrAnalysis | null {
  const n = values.length;
  if (n < 2) return null;
  const at = (i: number) => values[i] as number;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  let rangeSum = 0;
  for (let i = 1; i < n; i += 1) rangeSum += Math.abs(at(i) - at(i - 1));
  const movingRangeMean = rangeSum / (n - 1);
  const spread = PROCESS_LIMIT_FACTOR * movingRangeMean;
  const near = (2 / 3) * spread;
  const limits = {
    mean,
    movingRangeMean,
    lowerProcessLimit: mean - spread,
    upperProcessLimit: mean + spread,
    lowerNearLimit: mean - near,
    upperNearLimit: mean + near,
  };

  const signals = values.map(() => new Map<SpcRule, Set<Side>>());
  const flag = (i: number, rule: SpcRule, side: Side) => {
    const point = signals[i] as Map<SpcRule, Set<Side>>;
    const sides = point.get(rule) ?? new Set<Side>();
    sides.add(side);
    point.set(rule, sides);
  };

  for (let i = 0; i < n; i += 1) {
    if (at(i) > limits.upperProcessLimit + EPSILON) flag(i, 'outside-limits', 1);
    if (at(i) < limits.lowerProcessLimit - EPSILON) flag(i, 'outside-limits', -1);
  }

  const sideOfMean = values.map((value) => sign(value - mean));
  for (const [start, end, side] of segments(sideOfMean)) {
    if (end - start + 1 >= RUN_LENGTH) for (let i = start; i <= end; i += 1) flag(i, 'run', side);
  }

  // steps[k] is the move from point k to point k + 1; a segment of s steps spans s + 1 points
  const steps = values.slice(1).map((value, k) => sign(value - at(k)));
  for (const [start, end, side] of segments(steps)) {
    if (end - start + 2 >= TREND_LENGTH) {
      for (let i = start; i <= end + 1; i += 1) flag(i, 'trend', side);
    }
  }

  const beyondNear = values.map((value): Side | 0 =>
    value > limits.upperNearLimit + EPSILON ? 1 : value < limits.lowerNearLimit - EPSILON ? -1 : 0,
  );
  for (let start = 0; start <= Math.max(0, n - 3); start += 1) {
    const window = [start, start + 1, start + 2].filter((i) => i < n);
    for (const side of [1, -1] as const) {
      const beyond = window.filter((i) => beyondNear[i] === side);
      if (beyond.length >= 2) for (const i of beyond) flag(i, 'two-of-three', side);
    }
  }

  const good: Side = polarity === 'higher-is-better' ? 1 : -1;
  const points = values.map((value, i): SpcPoint => {
    const fired = signals[i] as Map<SpcRule, Set<Side>>;
    const rules = SPC_RULES.filter((rule) => fired.has(rule));
    const sides = [...fired.values()].flatMap((set) => [...set]);
    const variation: Variation =
      sides.length === 0
        ? 'common-cause'
        : sides.every((s) => s === good)
          ? 'improvement'
          : 'concern';
    return { value, rules, variation };
  });
  return { ...limits, points };
}

function sign(difference: number): Side | 0 {
  return difference > EPSILON ? 1 : difference < -EPSILON ? -1 : 0;
}

/** Maximal stretches of one non-zero sign: [first index, last index, sign]. */
function segments(signs: ReadonlyArray<Side | 0>): Array<[number, number, Side]> {
  const found: Array<[number, number, Side]> = [];
  let start = 0;
  for (let i = 1; i <= signs.length; i += 1) {
    if (i < signs.length && signs[i] === signs[start]) continue;
    const side = signs[start];
    if (side === 1 || side === -1) found.push([start, i - 1, side]);
    start = i;
  }
  return found;
}
