import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fdsFile } from '../fixtures/alerts/cwt-files';
import { startTestPlatform, type TestPlatform } from './support/platform';

/**
 * The scheduled missing-submission check end to end: the synthesized SubmissionDeadlines
 * workflow started by the local runtime's timer for the EventBridge schedule rule, with a fixed
 * clock for "today". Its own file (so its own process): handler modules cache their SDK clients,
 * so one process serves one local runtime at a time.
 */

type Alert = { subject?: string; message: Record<string, any> };

/** Due 25 days after the month ends; the two newest overdue months; nothing before 2025-01. */
const alertRules = {
  inequality: { gapPoints: 10, minPatients: 20 },
  spc: { minPoints: 12, windowMonths: 12 },
  submissionDeadline: { daysAfterPeriodEnd: 25, lookbackMonths: 2, firstPeriod: '2025-01' },
  backlogGrowth: { minIncrease: 5, minRelativeIncrease: 0.1 },
};

/** Polls until `ready` holds (the timer fires asynchronously); fails after 30 s. */
async function waitFor(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('condition not reached in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('missing submissions found by the schedule timer', () => {
  let platform: TestPlatform;
  /** The time the schedule stamps on its events: the deadline check's "today". */
  let now = new Date('2025-02-01T07:00:00Z');

  beforeAll(async () => {
    platform = await startTestPlatform({
      rules: { alerts: alertRules },
      schedules: { intervalMs: 200, clock: () => now },
    });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  /** Finished scheduled checks stamped with the current `now`. */
  const checksAt = (time: Date) =>
    platform.runtime
      .executions()
      .filter(
        (e) =>
          e.status === 'SUCCEEDED' &&
          (e.input as { 'detail-type'?: string; time?: string })['detail-type'] ===
            'Scheduled Event' &&
          (e.input as { time?: string }).time === time.toISOString().replace('.000Z', 'Z'),
      ).length;
  const missing = () =>
    platform.alerts().filter((a) => a.message?.type === 'missing-submission') as Alert[];

  it('raises nothing before a deadline has passed', async () => {
    // 1 Feb 2025: January is due 25 Feb; December is older than the go-live month (2025-01).
    await platform.upload('R1H', '2025-01', 'jan.csv', fdsFile('R1H', '2025-01', 9, 10));
    await platform.upload('R1H', '2025-02', 'feb.csv', fdsFile('R1H', '2025-02', 9, 10));
    await platform.upload('RF4', '2025-02', 'feb.csv', fdsFile('RF4', '2025-02', 9, 10));
    await waitFor(() => checksAt(now) >= 1);
    expect(missing()).toEqual([]);
  });

  it('raises each missing submission once however often the check runs', async () => {
    // 28 Mar 2025: February (due 25 Mar) and January (due 25 Feb) are overdue. January lacks
    // RF4 and RQX; February lacks RQX.
    now = new Date('2025-03-28T07:00:00Z');
    await waitFor(() => checksAt(now) >= 3);
    expect(
      missing()
        .map((a) => `${a.message.period} ${a.message.trust}`)
        .sort(),
    ).toEqual(['2025-01 RF4', '2025-01 RQX', '2025-02 RQX']);
    expect(missing()[0]?.message).toMatchObject({
      standard: null,
      threshold: { daysAfterPeriodEnd: 25 },
    });
    const rqxFeb = missing().find((a) => a.message.period === '2025-02');
    // 28 Mar − 25 Mar = 3 days late
    expect(rqxFeb?.message.figures).toMatchObject({ deadline: '2025-03-25', daysOverdue: 3 });
    const listed = await platform.api('/alerts?kind=missing-submission&from=2025-01&to=2025-02');
    expect(listed.body.alerts).toHaveLength(3);
  });

  it('closes the alert quietly when the late file arrives', async () => {
    await platform.upload('RQX', '2025-02', 'feb.csv', fdsFile('RQX', '2025-02', 9, 10));
    const runs = checksAt(now);
    await waitFor(() => checksAt(now) >= runs + 2);
    expect(missing()).toHaveLength(3);
    const { body } = await platform.api('/alerts?kind=missing-submission&period=2025-02');
    expect(body.alerts).toMatchObject([{ trust: 'RQX', status: 'resolved' }]);
  });
});
