import { randomUUID } from 'node:crypto';
import type { JsonValue } from './asl';
import { matchesPattern } from './event-pattern';
import type { S3NotificationRecord, S3RequestInfo } from './servers';
import type { TemplateResolver } from './template';

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface RuleTarget {
  ruleName: string;
  arn: string;
  input(event: EventBridgeEvent): JsonValue;
}

interface Rule {
  name: string;
  pattern: unknown;
  targets: RuleTarget[];
}

export interface EventRouterDependencies {
  startExecution(stateMachineArn: string, input: JsonValue, trigger: string): void;
  invokeFunction(functionArn: string, input: JsonValue, trigger: string): void;
  isStateMachine(arn: string): boolean;
  isFunction(arn: string): boolean;
  log(line: string): void;
}

export interface EventRouter {
  /** Buckets that send events to EventBridge (the others stay silent, as in AWS). */
  eventBridgeBuckets: ReadonlySet<string>;
  /** Turns an s3rver notification into the EventBridge event and routes it. */
  handleS3Record(record: S3NotificationRecord, request?: S3RequestInfo): void;
  /** Routes an event to every matching rule's targets; returns how many were started. */
  dispatch(event: EventBridgeEvent): number;
}

export function createEventRouter(
  resolver: TemplateResolver,
  deps: EventRouterDependencies,
): EventRouter {
  const eventBridgeBuckets = findEventBridgeBuckets(resolver);
  const rules = readRules(resolver, deps);

  const dispatch = (event: EventBridgeEvent): number => {
    let started = 0;
    for (const rule of rules) {
      if (matchesPattern(rule.pattern, event)) started += startTargets(rule.targets, event, deps);
    }
    return started;
  };

  return {
    eventBridgeBuckets,
    dispatch,
    handleS3Record: (record, request) => {
      if (!eventBridgeBuckets.has(record.s3.bucket.name)) return;
      const event = objectCreatedEvent(record, request, resolver);
      if (event) dispatch(event);
    },
  };
}

/**
 * The "Object Created" event as EventBridge delivers it for an S3 notification record; other
 * notifications (deletions) are not routed.
 */
export function objectCreatedEvent(
  record: S3NotificationRecord,
  request: S3RequestInfo | undefined,
  place: { region: string; accountId: string; partition: string },
): EventBridgeEvent | undefined {
  if (!record.eventName.startsWith('ObjectCreated:')) return undefined;
  const { bucket, object } = record.s3;
  const reason = request?.copySource
    ? 'CopyObject'
    : request?.multipartComplete
      ? 'CompleteMultipartUpload'
      : record.eventName === 'ObjectCreated:Post'
        ? 'PostObject'
        : record.eventName === 'ObjectCreated:Copy'
          ? 'CopyObject'
          : 'PutObject';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: place.accountId,
    time: new Date(record.eventTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: place.region,
    resources: [`arn:${place.partition}:s3:::${bucket.name}`],
    detail: {
      version: '0',
      bucket: { name: bucket.name },
      object: {
        key: object.key,
        ...(object.size !== undefined ? { size: object.size } : {}),
        ...(object.eTag !== undefined ? { etag: object.eTag } : {}),
        ...(object.sequencer !== undefined ? { sequencer: object.sequencer } : {}),
      },
      'request-id': request?.requestId ?? randomUUID().replace(/-/g, '').slice(0, 16),
      requester: place.accountId,
      'source-ip-address': request?.sourceIp ?? '127.0.0.1',
      reason,
    },
  };
}

function findEventBridgeBuckets(resolver: TemplateResolver): Set<string> {
  const names = new Set<string>();
  for (const [id, bucket] of resolver.resourcesOfType('AWS::S3::Bucket')) {
    const config = (bucket.Properties?.NotificationConfiguration ?? {}) as {
      EventBridgeConfiguration?: { EventBridgeEnabled?: unknown };
    };
    if (config.EventBridgeConfiguration?.EventBridgeEnabled === true) {
      names.add(resolver.physicalName(id));
    }
  }
  // CDK's `eventBridgeEnabled` goes through its bucket-notifications custom resource
  for (const [, custom] of resolver.resourcesOfType('Custom::S3BucketNotifications')) {
    const props = custom.Properties ?? {};
    const config = props.NotificationConfiguration as { EventBridgeConfiguration?: unknown };
    if (config?.EventBridgeConfiguration !== undefined) {
      names.add(resolver.resolveString(props.BucketName));
    }
  }
  return names;
}

interface TargetProperties {
  Arn: unknown;
  Input?: unknown;
  InputPath?: unknown;
  InputTransformer?: { InputPathsMap?: Record<string, unknown>; InputTemplate?: unknown };
}

function readRules(resolver: TemplateResolver, deps: EventRouterDependencies): Rule[] {
  const rules: Rule[] = [];
  for (const [id, resource] of resolver.resourcesOfType('AWS::Events::Rule')) {
    const props = resource.Properties ?? {};
    const bus = props.EventBusName === undefined ? 'default' : resolver.resolve(props.EventBusName);
    if (props.State === 'DISABLED' || bus !== 'default' || props.EventPattern === undefined) {
      continue;
    }
    const name = resolver.physicalName(id);
    const targets = readTargets(resolver, deps, props.Targets, name);
    rules.push({ name, pattern: resolver.resolve(props.EventPattern), targets });
  }
  return rules;
}

/** A rule's targets that the runtime can start (local state machines and functions). */
export function readTargets(
  resolver: TemplateResolver,
  deps: Pick<EventRouterDependencies, 'isStateMachine' | 'isFunction' | 'log'>,
  rawTargets: unknown,
  ruleName: string,
): RuleTarget[] {
  const targets: RuleTarget[] = [];
  for (const raw of (rawTargets as TargetProperties[] | undefined) ?? []) {
    const target = resolver.resolve(raw) as TargetProperties;
    const arn = String(target.Arn);
    if (!deps.isStateMachine(arn) && !deps.isFunction(arn)) {
      deps.log(`local: rule ${ruleName} target ${arn} is not a local state machine or function`);
      continue;
    }
    targets.push({ ruleName, arn, input: targetInput(target, ruleName) });
  }
  return targets;
}

/** Starts each target with the event, shaped by the target's Input/InputPath/InputTransformer. */
export function startTargets(
  targets: readonly RuleTarget[],
  event: EventBridgeEvent,
  deps: Pick<EventRouterDependencies, 'isStateMachine' | 'startExecution' | 'invokeFunction'>,
): number {
  for (const target of targets) {
    const input = target.input(event);
    const trigger = `rule:${target.ruleName}`;
    if (deps.isStateMachine(target.arn)) deps.startExecution(target.arn, input, trigger);
    else deps.invokeFunction(target.arn, input, trigger);
  }
  return targets.length;
}

function targetInput(target: TargetProperties, ruleName: string): RuleTarget['input'] {
  if (typeof target.Input === 'string') {
    const constant = JSON.parse(target.Input) as JsonValue;
    return () => constant;
  }
  if (typeof target.InputPath === 'string') {
    const path = target.InputPath;
    return (event) => (selectPath(event, path) ?? null) as JsonValue;
  }
  const transformer = target.InputTransformer;
  if (transformer) {
    const paths = transformer.InputPathsMap ?? {};
    const template = String(transformer.InputTemplate ?? '');
    return (event) => {
      const text = template.replace(/<([\w.-]+)>/g, (whole, name: string) => {
        if (name === 'aws.events.event' || name === 'aws.events.event.json') {
          return JSON.stringify(event);
        }
        if (name === 'aws.events.rule-name') return ruleName;
        if (name === 'aws.events.event.ingestion-time') return event.time;
        if (!(name in paths)) return whole;
        const value = selectPath(event, String(paths[name]));
        return typeof value === 'string' ? value : JSON.stringify(value ?? null);
      });
      try {
        return JSON.parse(text) as JsonValue;
      } catch {
        return text;
      }
    };
  }
  return (event) => event as unknown as JsonValue;
}

/** The simple `$.a.b` / `$.a[0]` paths EventBridge targets use. */
function selectPath(event: EventBridgeEvent, path: string): unknown {
  const steps = path
    .replace(/^\$\.?/, '')
    .split(/\.|\[(\d+)\]/)
    .filter((step): step is string => step !== undefined && step !== '');
  return steps.reduce<unknown>(
    (node, step) =>
      typeof node === 'object' && node !== null
        ? (node as Record<string, unknown>)[step]
        : undefined,
    event,
  );
}
