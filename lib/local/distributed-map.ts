import type { S3Client } from '@aws-sdk/client-s3';
import {
  type AslDefinition,
  type AslState,
  childDefinitions,
  isDistributedMap,
  type JsonValue,
  UnsupportedDefinitionError,
} from './asl';
import { type ItemReaderSpec, readItems } from './item-reader';

/**
 * aws-local-stepfunctions has no Distributed Map (it ignores ItemReader and fails the state), so
 * each one is rewritten into a Task of the same name — Next/Catch/Retry/ResultPath still apply —
 * whose override reads the items and runs the unchanged ItemProcessor once per item.
 */
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::local:distributedMap';

/** Concurrency when the definition sets none (the service would allow 10,000 child runs). */
const DEFAULT_LOCAL_CONCURRENCY = 8;

export interface DistributedMapSpec {
  stateName: string;
  processor: AslDefinition;
  reader?: ItemReaderSpec;
  itemSelector?: JsonValue;
  batcher?: { MaxItemsPerBatch?: number; MaxInputBytesPerBatch?: number };
  maxConcurrency?: number;
  toleratedFailurePercentage?: number;
  toleratedFailureCount?: number;
}

/** What the rewritten Task's Parameters evaluate to (the library resolves every `.$` path). */
interface MapRunParameters {
  input: JsonValue;
  context: Record<string, unknown>;
  readerParameters?: Record<string, unknown>;
  items?: JsonValue;
  maxItems?: number;
  maxConcurrency?: number;
  toleratedFailurePercentage?: number;
  toleratedFailureCount?: number;
  batchInput?: JsonValue;
  maxItemsPerBatch?: number;
  maxInputBytesPerBatch?: number;
}

export class ToleratedFailureError extends Error {
  override name = 'States.ExceedToleratedFailureThreshold';
}

class MapInputError extends Error {
  override name = 'States.Runtime';
}

const TASK_FIELDS = [
  'Comment',
  'Next',
  'End',
  'Retry',
  'Catch',
  'InputPath',
  'OutputPath',
  'ResultPath',
  'ResultSelector',
];

/** Returns a copy of the definition with every Distributed Map (at any depth) rewritten. */
export function rewriteDistributedMaps(definition: AslDefinition): {
  definition: AslDefinition;
  maps: DistributedMapSpec[];
} {
  const maps: DistributedMapSpec[] = [];
  const rewrite = (def: AslDefinition): AslDefinition => {
    const states: Record<string, AslState> = {};
    for (const [name, original] of Object.entries(def.States)) {
      const state = rewriteChildren(original, rewrite);
      states[name] = isDistributedMap(state) ? toTask(name, state, maps) : state;
    }
    return { ...def, States: states };
  };
  return { definition: rewrite(definition), maps };
}

function rewriteChildren(state: AslState, rewrite: (d: AslDefinition) => AslDefinition): AslState {
  if (childDefinitions(state).length === 0) return state;
  const copy: AslState = { ...state };
  for (const key of ['ItemProcessor', 'Iterator']) {
    if (copy[key]) copy[key] = rewrite(copy[key] as AslDefinition);
  }
  if (Array.isArray(copy.Branches)) copy.Branches = (copy.Branches as AslDefinition[]).map(rewrite);
  return copy;
}

function toTask(name: string, state: AslState, maps: DistributedMapSpec[]): AslState {
  if (state.ResultWriter) {
    throw new UnsupportedDefinitionError(
      `Distributed Map '${name}' uses ResultWriter, which the local runtime does not emulate`,
    );
  }
  const { ProcessorConfig: _config, ...processor } = (state.ItemProcessor ??
    state.Iterator) as AslDefinition & { ProcessorConfig?: unknown };
  const reader = state.ItemReader as
    | (ItemReaderSpec & { Parameters?: unknown; ReaderConfig?: { MaxItemsPath?: string } })
    | undefined;
  const batcher = state.ItemBatcher as
    | {
        MaxItemsPerBatch?: number;
        MaxInputBytesPerBatch?: number;
        MaxItemsPerBatchPath?: string;
        MaxInputBytesPerBatchPath?: string;
        BatchInput?: unknown;
      }
    | undefined;
  maps.push({
    stateName: name,
    processor: processor as AslDefinition,
    ...(reader ? { reader } : {}),
    ...(state.ItemSelector !== undefined || state.Parameters !== undefined
      ? { itemSelector: (state.ItemSelector ?? state.Parameters) as JsonValue }
      : {}),
    ...(batcher ? { batcher } : {}),
    ...numberField('maxConcurrency', state.MaxConcurrency),
    ...numberField('toleratedFailurePercentage', state.ToleratedFailurePercentage),
    ...numberField('toleratedFailureCount', state.ToleratedFailureCount),
  });

  const parameters: Record<string, unknown> = { 'input.$': '$', 'context.$': '$$' };
  const path = (key: string, value: unknown) => {
    if (typeof value === 'string') parameters[`${key}.$`] = value;
  };
  if (reader?.Parameters) parameters.readerParameters = reader.Parameters;
  if (!reader) path('items', state.ItemsPath ?? '$');
  path('maxItems', reader?.ReaderConfig?.MaxItemsPath);
  path('maxConcurrency', state.MaxConcurrencyPath);
  path('toleratedFailurePercentage', state.ToleratedFailurePercentagePath);
  path('toleratedFailureCount', state.ToleratedFailureCountPath);
  path('maxItemsPerBatch', batcher?.MaxItemsPerBatchPath);
  path('maxInputBytesPerBatch', batcher?.MaxInputBytesPerBatchPath);
  if (batcher?.BatchInput !== undefined) parameters.batchInput = batcher.BatchInput;

  const task: AslState = {
    Type: 'Task',
    Resource: DISTRIBUTED_MAP_RESOURCE,
    Parameters: parameters,
  };
  for (const field of TASK_FIELDS) {
    if (field in state) task[field] = state[field];
  }
  return task;
}

function numberField<K extends string>(key: K, value: unknown): Partial<Record<K, number>> {
  return typeof value === 'number' ? ({ [key]: value } as Record<K, number>) : {};
}

export interface ChildRun {
  result: Promise<JsonValue>;
  abort(): void;
}

export interface MapRunDependencies {
  s3: S3Client;
  /** Runs the ItemProcessor as a child state machine. */
  runChild(
    processor: AslDefinition,
    input: JsonValue,
    context: Record<string, unknown>,
    item: { stateName: string; index: number },
  ): ChildRun;
  /** Evaluates an ItemSelector for one item (with `$$.Map.Item` set). */
  select(
    selector: JsonValue,
    input: JsonValue,
    context: Record<string, unknown>,
  ): Promise<JsonValue>;
}

/** The override behind a rewritten Distributed Map. */
export async function runDistributedMap(
  spec: DistributedMapSpec,
  raw: JsonValue,
  deps: MapRunDependencies,
): Promise<JsonValue> {
  const params = raw as unknown as MapRunParameters;
  const items = spec.reader
    ? ((await readItems(
        deps.s3,
        spec.reader,
        params.readerParameters ?? {},
        params.maxItems,
      )) as JsonValue[])
    : params.items;
  if (!Array.isArray(items)) {
    throw new MapInputError(`Items of Distributed Map '${spec.stateName}' must be an array`);
  }
  const selected: JsonValue[] = [];
  for (const [index, item] of items.entries()) {
    selected.push(
      spec.itemSelector === undefined
        ? item
        : await deps.select(spec.itemSelector, params.input, {
            ...params.context,
            Map: { Item: { Index: index, Value: item } },
          }),
    );
  }
  const inputs = spec.batcher ? batch(selected, spec.batcher, params) : selected;

  const percentage = params.toleratedFailurePercentage ?? spec.toleratedFailurePercentage;
  const count = params.toleratedFailureCount ?? spec.toleratedFailureCount;
  // a threshold that is not set does not apply; with neither set, no failure is tolerated
  const exceeded = (failed: number): boolean =>
    percentage === undefined && count === undefined
      ? failed > 0
      : (count !== undefined && failed > count) ||
        (percentage !== undefined && (failed / inputs.length) * 100 > percentage);

  const concurrency = params.maxConcurrency || spec.maxConcurrency || DEFAULT_LOCAL_CONCURRENCY;
  const results: JsonValue[] = new Array(inputs.length).fill(null);
  const running = new Set<ChildRun>();
  let next = 0;
  let failed = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped && next < inputs.length) {
      const index = next;
      next += 1;
      const child = deps.runChild(spec.processor, inputs[index] ?? null, params.context, {
        stateName: spec.stateName,
        index,
      });
      running.add(child);
      try {
        results[index] = await child.result;
      } catch (error) {
        failed += 1;
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        results[index] =
          cause instanceof Error ? { Error: cause.name, Cause: cause.message } : String(cause);
        if (exceeded(failed)) {
          stopped = true;
          for (const other of running) other.abort();
        }
      } finally {
        running.delete(child);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, () => worker()));
  if (exceeded(failed)) {
    throw new ToleratedFailureError(
      `The specified tolerated failure threshold was exceeded (${failed} of ${inputs.length} ` +
        `items failed in '${spec.stateName}')`,
    );
  }
  return results;
}

function batch(
  items: JsonValue[],
  batcher: NonNullable<DistributedMapSpec['batcher']>,
  params: MapRunParameters,
): JsonValue[] {
  const maxItems = params.maxItemsPerBatch ?? batcher.MaxItemsPerBatch ?? Number.POSITIVE_INFINITY;
  const maxBytes = params.maxInputBytesPerBatch ?? batcher.MaxInputBytesPerBatch ?? 256 * 1024;
  const batches: JsonValue[] = [];
  let current: JsonValue[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    batches.push(
      params.batchInput === undefined
        ? { Items: current }
        : { BatchInput: params.batchInput, Items: current },
    );
    current = [];
    bytes = 0;
  };
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item));
    if (current.length >= maxItems || (current.length > 0 && bytes + size > maxBytes)) flush();
    current.push(item);
    bytes += size;
  }
  flush();
  return batches;
}
