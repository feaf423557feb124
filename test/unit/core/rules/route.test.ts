import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../../../lambdas/core/route';

const UPGRADE = 20_000;

describe('deriveRoute', () => {
  it.each([
    // priority, source, referral type, upgrade date → route (domain brief §1.4)
    ['3', '03', '02', null, 'usc'],
    ['3', null, null, null, 'usc'],
    ['3', '03', '16', null, 'breast-symptomatic'],
    ['2', '17', '03', null, 'screening'],
    ['2', '17', '03', UPGRADE, 'screening'],
    ['3', '17', '03', null, 'unknown'],
    ['1', '03', '02', UPGRADE, 'consultant-upgrade'],
    ['3', '03', '02', UPGRADE, 'consultant-upgrade'],
    ['3', '03', '16', UPGRADE, 'consultant-upgrade'],
    ['2', '03', '02', null, 'unknown'],
    ['1', '03', '02', null, 'unknown'],
  ] as const)(
    'priority %s, source %s, type %s, upgrade %s → %s',
    (priority, source, type, upgrade, route) => {
      // Act / Assess
      expect(
        deriveRoute({
          priorityType: priority,
          sourceOfReferral: source,
          cancerReferralType: type,
          consultantUpgrade: upgrade,
        }),
      ).toBe(route);
    },
  );
});
