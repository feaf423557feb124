import { afterEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../lib/local/asl';
import {
  delayUntilNext,
  parseScheduleExpression,
  type Schedules,
  startSchedules,
  UnsupportedScheduleError,
} from '../../../lib/local/schedules';
import { TemplateResolver } from '../../../lib/local/template';

const MACHINE = 'arn:aws:states:eu-west-2:000000000000:stateMachine:Checker';

/** A template with one schedule rule (and one disabled) targeting a state machine. */
function resolverWith(expression: string): TemplateResolver {
  return new TemplateResolver(
    {
      Resources: {
        Daily: {
          Type: 'AWS::Events::Rule',
          Properties: { ScheduleExpression: expression, Targets: [{ Arn: MACHINE, Id: 'T' }] },
        },
        Off: {
          Type: 'AWS::Events::Rule',
          Properties: {
            ScheduleExpression: 'rate(1 minute)',
            State: 'DISABLED',
            Targets: [{ Arn: MACHINE, Id: 'T' }],
          },
        },
      },
    },
    { region: 'eu-west-2' },
  );
}

function recorder() {
  const started: Array<{ arn: string; input: JsonValue; trigger: string }> = [];
  const logs: string[] = [];
  return {
    started,
    logs,
    deps: {
      isStateMachine: (arn: string) => arn === MACHINE,
      isFunction: () => false,
      startExecution: (arn: string, input: JsonValue, trigger: string) => {
        started.push({ arn, input, trigger });
      },
      invokeFunction: () => {},
      log: (line: string) => logs.push(line),
    },
  };
}

async function until(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('schedule expressions', () => {
  it('reads rate(...) in minutes, hours and days', () => {
    expect(parseScheduleExpression('rate(1 minute)')).toEqual({ kind: 'rate', everyMs: 60_000 });
    expect(parseScheduleExpression('rate(2 hours)')).toEqual({ kind: 'rate', everyMs: 7_200_000 });
    expect(parseScheduleExpression('rate(1 day)')).toEqual({ kind: 'rate', everyMs: 86_400_000 });
  });

  it('reads a daily cron and refuses the rest', () => {
    expect(parseScheduleExpression('cron(0 7 * * ? *)')).toEqual({
      kind: 'daily',
      hour: 7,
      minute: 0,
    });
    expect(parseScheduleExpression('cron(30 23 ? * * *)')).toEqual({
      kind: 'daily',
      hour: 23,
      minute: 30,
    });
    for (const unsupported of [
      'cron(0 7 ? * MON *)',
      'cron(0/5 * * * ? *)',
      'cron(0 7 1 * ? *)',
      'rate(0 minutes)',
      'rate(5 seconds)',
    ]) {
      expect(() => parseScheduleExpression(unsupported), unsupported).toThrow(
        UnsupportedScheduleError,
      );
    }
  });

  it('waits until the next daily time, tomorrow when it is now or past', () => {
    // Prepare: 07:00 UTC daily.
    const spec = parseScheduleExpression('cron(0 7 * * ? *)');

    // Assess: from 06:30 → 30 min; from 07:00 exactly → 24 h; from 08:00 → 23 h.
    expect(delayUntilNext(spec, new Date('2025-03-28T06:30:00Z'))).toBe(30 * 60_000);
    expect(delayUntilNext(spec, new Date('2025-03-28T07:00:00Z'))).toBe(24 * 3_600_000);
    expect(delayUntilNext(spec, new Date('2025-03-28T08:00:00Z'))).toBe(23 * 3_600_000);
  });
});

describe('schedule timers', () => {
  let schedules: Schedules | undefined;
  afterEach(() => schedules?.stop());

  it('starts the target with a Scheduled Event stamped by the clock, on every tick', async () => {
    // Prepare
    const { started, deps } = recorder();
    const clock = () => new Date('2025-03-28T07:00:00.000Z');

    // Act
    schedules = startSchedules(resolverWith('cron(0 7 * * ? *)'), deps, {
      intervalMs: 10,
      clock,
    });
    await until(() => started.length >= 2);

    // Assess: the disabled rule never fires; the event is EventBridge's shape.
    expect(schedules.rules.map((rule) => rule.expression)).toEqual(['cron(0 7 * * ? *)']);
    expect(started[0]).toMatchObject({
      arn: MACHINE,
      trigger: 'rule:Daily',
      input: {
        version: '0',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        region: 'eu-west-2',
        time: '2025-03-28T07:00:00Z',
        resources: ['arn:aws:events:eu-west-2:000000000000:rule/Daily'],
        detail: {},
      },
    });
  });

  it('never keeps the process alive, and stops firing when stopped', async () => {
    // Prepare
    const { started, deps } = recorder();
    const timersBefore = process
      .getActiveResourcesInfo()
      .filter((resource) => resource === 'Timeout').length;

    // Act
    schedules = startSchedules(resolverWith('rate(1 day)'), deps, {});
    const timersDuring = process
      .getActiveResourcesInfo()
      .filter((resource) => resource === 'Timeout').length;
    const fired = schedules.runAll();
    schedules.stop();

    // Assess: an unref'd timer is not an active resource; runAll fires once, by hand.
    expect(timersDuring).toBe(timersBefore);
    expect(fired).toBe(1);
    expect(started).toHaveLength(1);
  });

  it('leaves an unsupported schedule idle and says so', () => {
    // Prepare
    const { started, logs, deps } = recorder();

    // Act
    schedules = startSchedules(resolverWith('cron(0 7 ? * MON *)'), deps, { intervalMs: 1 });

    // Assess
    expect(schedules.rules).toEqual([]);
    expect(schedules.runAll()).toBe(0);
    expect(started).toEqual([]);
    expect(logs.join('\n')).toContain('stays idle');
  });

  it('arms nothing when disabled', () => {
    // Prepare
    const { started, deps } = recorder();

    // Act
    schedules = startSchedules(resolverWith('rate(1 minute)'), deps, {
      enabled: false,
      intervalMs: 1,
    });

    // Assess: the rule is known (runAll would start it) but no timer fires it.
    expect(schedules.rules).toHaveLength(1);
    expect(started).toEqual([]);
  });
});
