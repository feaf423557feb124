import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FaultInjector } from './faults';
import { functionNameFromArn, type TemplateResolver } from './template';

export const HANDLER_METADATA_KEY = 'local:handler';

/**
 * Environment variables that only act at process start-up; applying them to a running process
 * would change nothing for the handlers and could break child processes the host spawns.
 */
const START_UP_ONLY = new Set(['NODE_OPTIONS']);

export class LocalFunctionConfigError extends Error {
  readonly code = 'LOCAL_FUNCTION_CONFIG';
  override name = 'LocalFunctionConfigError';
}

/**
 * An error a handler threw, shaped as Step Functions reports Lambda failures: `name` is the
 * handler error's name (what Retry/Catch match) and `message` the `{errorType,errorMessage,trace}`
 * JSON that becomes the Cause.
 */
export class LambdaFunctionError extends Error {
  readonly errorType: string;
  readonly errorMessage: string;

  constructor(thrown: unknown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    const errorType = error.name || 'Error';
    super(
      JSON.stringify({
        errorType,
        errorMessage: error.message,
        trace: (error.stack ?? '').split('\n'),
      }),
    );
    this.name = errorType;
    this.errorType = errorType;
    this.errorMessage = error.message;
  }
}

type Handler = (event: unknown, context: Context, callback?: Callback) => unknown;
type Callback = (error?: unknown, result?: unknown) => void;

export interface LocalFunction {
  logicalId: string;
  name: string;
  arn: string;
  entry: string;
  timeoutSeconds: number;
  /** Invokes the handler as Lambda would: JSON in, JSON out; failures as LambdaFunctionError. */
  invoke(event: unknown): Promise<unknown>;
}

export interface FunctionRegistry {
  functions: LocalFunction[];
  /** Finds a function by name, ARN (qualifier ignored) or logical id. */
  find(nameOrArn: string): LocalFunction | undefined;
  /** Like find, but explains why a function cannot run locally. */
  get(nameOrArn: string): LocalFunction;
}

interface FunctionSpec {
  logicalId: string;
  entry: string | undefined;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memorySize: number;
}

function functionSpecs(resolver: TemplateResolver): FunctionSpec[] {
  return resolver.resourcesOfType('AWS::Lambda::Function').map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const entry = resource.Metadata?.[HANDLER_METADATA_KEY];
    const variables = (props.Environment as { Variables?: unknown } | undefined)?.Variables;
    const environment: Record<string, string> = {};
    if (entry !== undefined && variables !== undefined) {
      const resolved = resolver.resolve(variables) as Record<string, unknown>;
      for (const [name, value] of Object.entries(resolved)) environment[name] = String(value);
    }
    return {
      logicalId,
      entry: typeof entry === 'string' ? entry : undefined,
      environment,
      timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : 3,
      memorySize: typeof props.MemorySize === 'number' ? props.MemorySize : 128,
    };
  });
}

/**
 * The union of the environment variables of every locally runnable function. All handlers share
 * one process, so two functions giving one variable different values cannot both be honoured.
 */
export function functionEnvironment(resolver: TemplateResolver): Record<string, string> {
  const merged: Record<string, string> = {};
  const owner: Record<string, string> = {};
  for (const spec of functionSpecs(resolver)) {
    if (!spec.entry) continue;
    for (const [name, value] of Object.entries(spec.environment)) {
      if (START_UP_ONLY.has(name)) continue;
      if (name in merged && merged[name] !== value) {
        throw new LocalFunctionConfigError(
          `Environment variable ${name} differs between ${owner[name]} and ${spec.logicalId}; ` +
            'handlers share one process locally, so every function must agree on it',
        );
      }
      merged[name] = value;
      owner[name] = spec.logicalId;
    }
  }
  return merged;
}

/**
 * Imports the handler module of every function that carries `local:handler` metadata. Call it
 * after the environment is applied: handler modules may read it at import time.
 */
export async function loadFunctions(
  resolver: TemplateResolver,
  projectRoot: string,
  /** Test faults by function (see faults.ts), applied wherever the function is invoked from. */
  faults?: FaultInjector,
): Promise<FunctionRegistry> {
  const functions: LocalFunction[] = [];
  const unmapped = new Set<string>();
  for (const spec of functionSpecs(resolver)) {
    const name = resolver.physicalName(spec.logicalId);
    if (!spec.entry) {
      unmapped.add(spec.logicalId);
      continue;
    }
    const modulePath = resolve(projectRoot, spec.entry);
    let loaded: { handler?: unknown };
    try {
      loaded = (await import(pathToFileURL(modulePath).href)) as { handler?: unknown };
    } catch (error) {
      throw new LocalFunctionConfigError(
        `Cannot load the handler of ${spec.logicalId} from ${spec.entry}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (typeof loaded.handler !== 'function') {
      throw new LocalFunctionConfigError(`${spec.entry} does not export a function 'handler'`);
    }
    const handler = loaded.handler as Handler;
    const arn = resolver.arn(spec.logicalId);
    functions.push({
      logicalId: spec.logicalId,
      name,
      arn,
      entry: spec.entry,
      timeoutSeconds: spec.timeoutSeconds,
      invoke: (event) => {
        const run = () => invokeHandler(handler, event, { ...spec, name, arn });
        if (!faults) return run();
        const ids = [spec.logicalId, name, arn];
        return faults.run({ functionIds: ids }, event, run, (error) =>
          error instanceof LambdaFunctionError ? error : new LambdaFunctionError(error),
        );
      },
    });
  }

  const find = (nameOrArn: string): LocalFunction | undefined => {
    const name = functionNameFromArn(nameOrArn);
    return functions.find((f) => f.name === name || f.logicalId === name);
  };
  return {
    functions,
    find,
    get: (nameOrArn) => {
      const found = find(nameOrArn);
      if (found) return found;
      const name = functionNameFromArn(nameOrArn);
      throw new LocalFunctionConfigError(
        unmapped.has(name)
          ? `Function ${name} has no '${HANDLER_METADATA_KEY}' metadata, so it cannot run locally`
          : `No function ${nameOrArn} in the template`,
      );
    },
  };
}

async function invokeHandler(
  handler: Handler,
  event: unknown,
  fn: FunctionSpec & { name: string; arn: string },
): Promise<unknown> {
  const payload: unknown = JSON.parse(JSON.stringify(event ?? null));
  const context = lambdaContext(fn);
  try {
    const result = await new Promise<unknown>((resolvePromise, reject) => {
      const callback: Callback = (error, value) => (error ? reject(error) : resolvePromise(value));
      const returned = handler(payload, context, callback);
      if (returned !== undefined) Promise.resolve(returned).then(resolvePromise, reject);
    });
    return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
  } catch (error) {
    throw new LambdaFunctionError(error);
  }
}

function lambdaContext(fn: FunctionSpec & { name: string; arn: string }): Context {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  const requestId = randomUUID();
  const unsupported = () => {
    throw new Error('Callback-style context methods are not supported locally');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
