/**
 * Fault injection for tests of the local runtime: a Task state (or a function, wherever it is
 * invoked from) throws a chosen error, before its handler runs or after it — the nastiest case,
 * where the handler's side effects happened but the step reports failure. It is a property of
 * the local invoker only: no production code path knows about it.
 */

/** One fault; it fires on the first `times` invocations that match, then is spent. */
export interface LocalFault {
  /** A Task state name of a local state machine (e.g. `Aggregate`, `Publish alert`). */
  readonly state?: string;
  /**
   * A function, whichever state (or trigger) invokes it: its logical id, physical name or ARN,
   * or a part of its logical id (`Register` matches `HandlersRegisterFunction24B4743D`).
   */
  readonly function?: string;
  /**
   * `before`: the handler does not run. `after`: the handler runs to completion, then the step
   * fails anyway. @default 'after'
   */
  readonly when?: 'before' | 'after';
  /**
   * What the step throws; its `name` is what Retry/Catch match (a `TransientError` is retried,
   * a plain `Error` is caught). `null` injects only the delay. @default a plain Error
   */
  readonly error?: Error | null;
  /** Wait this long before the handler runs (e.g. to make one of two racing uploads finish last). */
  readonly delayMs?: number;
  /** How many matching invocations fail. @default 1 */
  readonly times?: number;
  /** Only invocations whose input passes this test (e.g. one upload's key) count as a match. */
  readonly match?: (input: unknown) => boolean;
}

/** A fault that has been added: how often it fired. */
export interface ArmedFault {
  readonly fault: LocalFault;
  /** Invocations it has failed (or delayed) so far. */
  fired(): number;
  /** True once it has fired `times` times. */
  spent(): boolean;
}

/** What a wrapped invocation is, so a fault can tell whether it applies. */
interface Target {
  readonly state?: string;
  readonly functionIds?: readonly string[];
}

export class InjectedFaultError extends Error {
  override name = 'InjectedFault';
}

/** The faults of one runtime; the state machines and the function invoker consult it. */
export class FaultInjector {
  private readonly armed: Array<{ fault: LocalFault; count: number }> = [];

  constructor(faults: readonly LocalFault[] = []) {
    for (const fault of faults) this.add(fault);
  }

  add(fault: LocalFault): ArmedFault {
    if (fault.state === undefined && fault.function === undefined) {
      throw new Error('A fault names a state or a function');
    }
    const entry = { fault, count: 0 };
    this.armed.push(entry);
    return {
      fault,
      fired: () => entry.count,
      spent: () => entry.count >= (fault.times ?? 1),
    };
  }

  /** Removes every fault, fired or not. */
  clear(): void {
    this.armed.splice(0);
  }

  /**
   * Runs `invoke` under the faults that match: `toError` shapes the injected error as the
   * caller's layer reports failures (e.g. as a Lambda function error).
   */
  async run<T>(
    target: Target,
    input: unknown,
    invoke: () => Promise<T>,
    toError: (error: Error) => Error = (error) => error,
  ): Promise<T> {
    const entry = this.take(target, input);
    if (!entry) return invoke();
    const { fault } = entry;
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    const error =
      fault.error === null
        ? null
        : (fault.error ?? new InjectedFaultError(`Injected fault in ${describe(target)}`));
    if (error && fault.when === 'before') throw toError(error);
    const result = await invoke();
    if (error) throw toError(error);
    return result;
  }

  /** Claims one firing of the first unspent fault that matches, if any. */
  private take(target: Target, input: unknown): { fault: LocalFault } | undefined {
    for (const entry of this.armed) {
      const { fault } = entry;
      if (entry.count >= (fault.times ?? 1)) continue;
      const named =
        (fault.state !== undefined && fault.state === target.state) ||
        (fault.function !== undefined && namesFunction(fault.function, target.functionIds ?? []));
      if (!named) continue;
      if (fault.match && !fault.match(input)) continue;
      entry.count += 1;
      return entry;
    }
    return undefined;
  }
}

/** `ids` are the logical id, the physical name and the ARN, in that order. */
function namesFunction(name: string, ids: readonly string[]): boolean {
  return ids.includes(name) || (ids[0] ?? '').includes(name);
}

function describe(target: Target): string {
  return target.state ? `state '${target.state}'` : `function ${target.functionIds?.[0] ?? '?'}`;
}
