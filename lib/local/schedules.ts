import { randomUUID } from 'node:crypto';
import {
  type EventBridgeEvent,
  type EventRouterDependencies,
  type RuleTarget,
  readTargets,
  startTargets,
} from './events';
import type { TemplateResolver } from './template';

/**
 * EventBridge schedule rules on a local timer: each enabled rule with a `ScheduleExpression`
 * starts its targets with a "Scheduled Event", as EventBridge does. Supported: `rate(N
 * minute|minutes|hour|hours|day|days)` and a daily `cron(M H * * ? *)` (UTC); other expressions
 * are logged and left idle. Timers are unref'd: a schedule never keeps the process alive.
 */

export type ScheduleSpec =
  | { readonly kind: 'rate'; readonly everyMs: number }
  | { readonly kind: 'daily'; readonly hour: number; readonly minute: number };

export class UnsupportedScheduleError extends Error {
  constructor(expression: string) {
    super(
      `Schedule '${expression}' is not supported locally (use rate(...) or a daily cron(M H * * ? *)).`,
    );
    this.name = 'UnsupportedScheduleError';
  }
}

const UNIT_MS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};
const DAY_MS = 86_400_000;
/** Longest delay a Node timer takes; longer waits are chained. */
const MAX_TIMER_MS = 2_147_483_647;

export function parseScheduleExpression(expression: string): ScheduleSpec {
  const rate = /^rate\(\s*(\d+)\s+([a-z]+)\s*\)$/.exec(expression.trim());
  if (rate) {
    const value = Number(rate[1]);
    const unit = UNIT_MS[rate[2] ?? ''];
    if (!unit || value < 1) throw new UnsupportedScheduleError(expression);
    return { kind: 'rate', everyMs: value * unit };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  const fields = cron?.[1]?.trim().split(/\s+/) ?? [];
  if (fields.length === 6) {
    const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const everyDay =
      ['*', '?'].includes(dayOfMonth) &&
      month === '*' &&
      ['*', '?'].includes(dayOfWeek) &&
      year === '*' &&
      dayOfMonth !== dayOfWeek;
    const m = Number(minute);
    const h = Number(hour);
    const whole = /^\d{1,2}$/;
    if (everyDay && whole.test(minute) && whole.test(hour) && m < 60 && h < 24) {
      return { kind: 'daily', hour: h, minute: m };
    }
  }
  throw new UnsupportedScheduleError(expression);
}

/** Milliseconds from `now` to the next run (a daily run exactly now is the next day's). */
export function delayUntilNext(spec: ScheduleSpec, now: Date): number {
  if (spec.kind === 'rate') return spec.everyMs;
  const today = Date.UTC(
    now.getUTCFullYear(),
    now.getUTCMonth(),
    now.getUTCDate(),
    spec.hour,
    spec.minute,
  );
  const next = today > now.getTime() ? today : today + DAY_MS;
  return next - now.getTime();
}

export interface ScheduleOptions {
  /** Fire every schedule rule this often instead of on its own schedule (tests, demos). */
  readonly intervalMs?: number;
  /** The time stamped on scheduled events (the handlers' "now"). @default the real clock */
  readonly clock?: () => Date;
  /** @default true */
  readonly enabled?: boolean;
}

export interface ScheduledRule {
  readonly name: string;
  readonly expression: string;
  readonly targets: readonly RuleTarget[];
}

export interface Schedules {
  readonly rules: readonly ScheduledRule[];
  /** Fires every schedule rule once, now; returns how many targets were started. */
  runAll(): number;
  stop(): void;
}

type Dependencies = Pick<
  EventRouterDependencies,
  'isStateMachine' | 'isFunction' | 'startExecution' | 'invokeFunction' | 'log'
>;

export function startSchedules(
  resolver: TemplateResolver,
  deps: Dependencies,
  options: ScheduleOptions = {},
): Schedules {
  const clock = options.clock ?? (() => new Date());
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const rules: Array<ScheduledRule & { spec: ScheduleSpec; arn: string }> = [];

  for (const [id, resource] of resolver.resourcesOfType('AWS::Events::Rule')) {
    const props = resource.Properties ?? {};
    if (props.State === 'DISABLED' || props.ScheduleExpression === undefined) continue;
    const name = resolver.physicalName(id);
    const expression = resolver.resolveString(props.ScheduleExpression);
    let spec: ScheduleSpec;
    try {
      spec = parseScheduleExpression(expression);
    } catch (error) {
      deps.log(`local: schedule rule ${name} stays idle: ${(error as Error).message}`);
      continue;
    }
    const targets = readTargets(resolver, deps, props.Targets, name);
    rules.push({ name, expression, targets, spec, arn: resolver.arn(id) });
  }

  const fire = (rule: (typeof rules)[number]): number => {
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: resolver.accountId,
      time: clock()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      region: resolver.region,
      resources: [rule.arn],
      detail: {},
    };
    return startTargets(rule.targets, event, deps);
  };

  const arm = (rule: (typeof rules)[number], dueAt: number) => {
    if (stopped) return;
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        if (stopped) return;
        if (Date.now() < dueAt) return arm(rule, dueAt);
        fire(rule);
        arm(rule, Date.now() + (options.intervalMs ?? delayUntilNext(rule.spec, new Date())));
      },
      Math.min(Math.max(dueAt - Date.now(), 0), MAX_TIMER_MS),
    );
    timer.unref();
    timers.add(timer);
  };

  if (options.enabled !== false) {
    for (const rule of rules) {
      const delay = options.intervalMs ?? delayUntilNext(rule.spec, new Date());
      deps.log(
        `schedule ${rule.name} (${rule.expression}): first run in ${Math.round(delay / 1000)} s`,
      );
      arm(rule, Date.now() + delay);
    }
  }

  return {
    rules: rules.map(({ name, expression, targets }) => ({ name, expression, targets })),
    runAll: () => rules.reduce((started, rule) => started + fire(rule), 0),
    stop: () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
