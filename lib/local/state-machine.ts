import './polyfills';
import type { S3Client } from '@aws-sdk/client-s3';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  type AslDefinition,
  assertJsonPathOnly,
  forEachState,
  type JsonValue,
  UnsupportedDefinitionError,
} from './asl';
import {
  DISTRIBUTED_MAP_RESOURCE,
  type DistributedMapSpec,
  rewriteDistributedMaps,
  runDistributedMap,
} from './distributed-map';
import type { FaultInjector } from './faults';
import { LambdaFunctionError } from './functions';
import {
  type TaskDependencies,
  type TaskHandler,
  taskHandlerFor,
  withPayloadLimit,
} from './task-overrides';
import type { TemplateResolver } from './template';

type Execution = ReturnType<StateMachine['run']>;
export type ExecutionEvent = Execution['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
/** An event of a Distributed Map child run, labelled with the map state and item index. */
export type MapRunEvent = ExecutionEvent & { mapRun: { stateName: string; index: number } };

export interface StateMachineDependencies extends TaskDependencies {
  s3: S3Client;
  /** Receives the events of Distributed Map child runs, keyed by the root execution's name. */
  onChildEvent(executionName: string, event: MapRunEvent): void;
  /** Test faults by state name (see faults.ts); none when absent. */
  faults?: FaultInjector;
}

export interface LocalStateMachine {
  logicalId: string;
  name: string;
  arn: string;
  /** The definition as it runs: the template's, with Distributed Maps rewritten. */
  definition: AslDefinition;
  start(input: JsonValue, execution: { name: string; arn: string }): Execution;
}

/**
 * The service's default Task timeout is 99,999,999 s; the library's is 60 s. The largest delay a
 * Node timer accepts stands in for "no timeout" so long local tasks are not cut off.
 */
const NO_TASK_TIMEOUT_SECONDS = 2_147_483;

/** Reads a state machine's definition from the template, intrinsics and substitutions resolved. */
export function readDefinition(resolver: TemplateResolver, logicalId: string): AslDefinition {
  const props = resolver.resource(logicalId).Properties ?? {};
  const substitutions = resolver.resolve(props.DefinitionSubstitutions ?? {}) as Record<
    string,
    unknown
  >;
  let text =
    props.Definition !== undefined
      ? JSON.stringify(resolver.resolve(props.Definition))
      : resolver.resolveString(props.DefinitionString);
  for (const [key, value] of Object.entries(substitutions)) {
    text = text.split(`\${${key}}`).join(String(value));
  }
  return JSON.parse(text) as AslDefinition;
}

export function loadStateMachines(
  resolver: TemplateResolver,
  deps: StateMachineDependencies,
): LocalStateMachine[] {
  return resolver
    .resourcesOfType('AWS::StepFunctions::StateMachine')
    .map(([logicalId]) => loadStateMachine(resolver, logicalId, deps));
}

export function loadStateMachine(
  resolver: TemplateResolver,
  logicalId: string,
  deps: StateMachineDependencies,
): LocalStateMachine {
  const name = resolver.physicalName(logicalId);
  const arn = resolver.arn(logicalId);
  const roleArn = resolver.resolve(resolver.resource(logicalId).Properties?.RoleArn);
  const original = readDefinition(resolver, logicalId);
  assertJsonPathOnly(original, name);
  const { definition, maps } = rewriteDistributedMaps(original);

  const handlers: Record<string, TaskHandler> = {};
  const retryIntervals: Record<string, number> = {};
  const unsupported: string[] = [];
  // a rewritten Distributed Map no longer holds its processor, so those are walked separately
  const visitAll = (visit: Parameters<typeof forEachState>[1]) => {
    forEachState(definition, visit);
    for (const map of maps) forEachState(map.processor, visit);
  };
  visitAll((stateName, state) => {
    // retries keep their count and order, only the waits between them go
    if (Array.isArray(state.Retry)) retryIntervals[stateName] = 0;
    if (state.Type !== 'Task') return;
    if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = NO_TASK_TIMEOUT_SECONDS;
    }
    const resource = String(state.Resource);
    const handler =
      resource === DISTRIBUTED_MAP_RESOURCE
        ? distributedMapHandler(mapSpec(maps, stateName))
        : taskHandlerFor(resource, deps);
    if (handler) handlers[stateName] = withPayloadLimit(stateName, withFaults(stateName, handler));
    else unsupported.push(`'${stateName}' (${resource})`);
  });
  if (unsupported.length > 0) {
    throw new UnsupportedDefinitionError(
      `State machine ${name} has tasks the local runtime cannot run: ${unsupported.join(', ')}`,
    );
  }
  // an injected fault fails the state as a failing Lambda would, so Retry/Catch see its name
  function withFaults(stateName: string, handler: TaskHandler): TaskHandler {
    const faults = deps.faults;
    if (!faults) return handler;
    return (input) =>
      faults.run(
        { state: stateName },
        input,
        () => handler(input),
        (error) => {
          return new LambdaFunctionError(error);
        },
      );
  }
  const overrides = { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retryIntervals };
  const options = { validationOptions: { checkArn: false } };
  const machine = new StateMachine(definition as unknown as StateMachineDefinition, options);
  const children = new WeakMap<AslDefinition, StateMachine>();

  function distributedMapHandler(spec: DistributedMapSpec): TaskHandler {
    return (input) =>
      runDistributedMap(spec, input, {
        s3: deps.s3,
        runChild: (processor, item, context, label) => {
          let child = children.get(processor);
          if (!child) {
            child = new StateMachine(processor as unknown as StateMachineDefinition, {
              validationOptions: { noValidate: true },
            });
            children.set(processor, child);
          }
          const run = child.run(item, { overrides, context: context as Record<string, unknown> });
          const executionName = String(
            (context.Execution as { Name?: unknown } | undefined)?.Name ?? '',
          );
          void forward(run.eventLogs, (event) =>
            deps.onChildEvent(executionName, { ...event, mapRun: label }),
          );
          return { result: run.result as Promise<JsonValue>, abort: run.abort };
        },
        select: async (selector, item, context) => {
          const pass = new StateMachine(
            {
              StartAt: 'Select',
              States: { Select: { Type: 'Pass', Parameters: selector, End: true } },
            } as unknown as StateMachineDefinition,
            { validationOptions: { noValidate: true } },
          );
          return (await pass.run(item, { context }).result) as JsonValue;
        },
      });
  }

  return {
    logicalId,
    name,
    arn,
    definition,
    start: (input, execution) =>
      machine.run(input, {
        overrides,
        context: {
          Execution: {
            Id: execution.arn,
            Name: execution.name,
            ...(typeof roleArn === 'string' ? { RoleArn: roleArn } : {}),
            RedriveCount: 0,
          },
          StateMachine: { Id: arn, Name: name },
        },
      }),
  };
}

function mapSpec(maps: DistributedMapSpec[], stateName: string): DistributedMapSpec {
  const spec = maps.find((m) => m.stateName === stateName);
  if (!spec) throw new UnsupportedDefinitionError(`No Distributed Map named '${stateName}'`);
  return spec;
}

async function forward(
  events: AsyncGenerator<ExecutionEvent>,
  sink: (event: ExecutionEvent) => void,
): Promise<void> {
  for await (const event of events) sink(event);
}
