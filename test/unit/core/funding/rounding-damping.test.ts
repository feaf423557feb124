import { describe, expect, it } from 'vitest';
import { damp, dampingBounds } from '../../../../lambdas/core/funding-damping';
import { roundToUnit } from '../../../../lambdas/core/funding-rounding';

describe('largest remainder to the rounding unit', () => {
  it('rounds down, then gives the spare units to the largest remainders', () => {
    // Prepare: £1,000,000 to the nearest £1,000; quotas 333.333, 333.333, 333.334 (thousands).
    const exact = [333_333.33, 333_333.33, 333_333.34];

    // Act
    const { amounts, boundsRelaxed } = roundToUnit(exact, 1_000_000, 1000);

    // Assess: floors 333 × 3 = 999; the one spare £1,000 goes to the largest remainder (the
    // third, .33334 > .33333).
    expect(amounts).toEqual([333_000, 333_000, 334_000]);
    expect(boundsRelaxed).toBe(false);
  });

  it('breaks exact ties in favour of the earlier unit', () => {
    // 1.5 + 1.5 = 3: floors 1 + 1, one spare, remainders equal → the first.
    expect(roundToUnit([1.5, 1.5], 3, 1).amounts).toEqual([2, 1]);
  });

  it('keeps amounts inside their bounds when whole units allow it', () => {
    // Prepare: in hundreds, quotas 4.4, 4.3, 3.3 (Σ 12). Plain largest remainder would give
    // the spare hundred to A (remainder .4) → 500, above A's cap of 440.
    const exact = [440, 430, 330];
    const bounds = [
      { lower: 400, upper: 440 },
      { lower: 380, upper: 520 },
      { lower: 300, upper: 340 },
    ];

    // Act
    const { amounts, boundsRelaxed } = roundToUnit(exact, 1200, 100, bounds);

    // Assess: whole hundreds allowed: A 4 only, B 4–5, C 3 only → the spare goes to B.
    expect(amounts).toEqual([400, 500, 300]);
    expect(boundsRelaxed).toBe(false);
  });

  it('crosses a bound by less than one unit, and says so, when no whole answer fits', () => {
    // Prepare: ±0% caps at 333.33 each cannot hold in whole pounds.
    const third = 1000 / 3;
    const bounds = [0, 1, 2].map(() => ({ lower: third, upper: third }));

    // Act
    const { amounts, boundsRelaxed } = roundToUnit([third, third, third], 1000, 1, bounds);

    // Assess: 334 + 333 + 333, each within £1 of 333.33.
    expect(amounts).toEqual([334, 333, 333]);
    expect(boundsRelaxed).toBe(true);
  });
});

describe('damping', () => {
  it('scales the previous allocation to the budget before applying the cap', () => {
    // Previous 500/300/200 (Σ 1,000), budget 2,000: baselines 1,000/600/400, ±10%.
    const bounds = dampingBounds([500, 300, 200], 2000, 0.1);
    expect(bounds.map((b) => b.baseline)).toEqual([1000, 600, 400]);
    expect(bounds[0]?.lower).toBeCloseTo(900, 9);
    expect(bounds[2]?.upper).toBeCloseTo(440, 9);
  });

  it('holds capped units at their cap and scales the rest in proportion', () => {
    // Prepare: baselines 400 each, ±10% → 360–440; formula 700/300/200 (Σ 1,200).
    const bounds = dampingBounds([400, 400, 400], 1200, 0.1);

    // Act
    const { amounts, limitedBy } = damp([700, 300, 200], bounds, 1200);

    // Assess: A capped at 440, C held at 360, so B takes 1,200 − 440 − 360 = 400 (λ = 4/3:
    // 300 × 4/3 = 400, inside its band).
    expect(amounts[0]).toBeCloseTo(440, 6);
    expect(amounts[1]).toBeCloseTo(400, 6);
    expect(amounts[2]).toBeCloseTo(360, 6);
    expect(limitedBy).toEqual(['upper', null, 'lower']);
  });

  it('lets a unit with a zero formula amount rise only when every other unit is capped', () => {
    // Prepare: baselines 500/500, ±10% → 450–550; the formula gives everything to A.
    const bounds = dampingBounds([500, 500], 1000, 0.1);

    // Act
    const { amounts } = damp([1000, 0], bounds, 1000);

    // Assess: A capped at 550, B keeps the remaining 450 (its lower bound).
    expect(amounts[0]).toBeCloseTo(550, 6);
    expect(amounts[1]).toBeCloseTo(450, 6);
  });
});
