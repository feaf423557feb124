import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Each measurement runs in a child process of its own, so its peak RSS (the kernel's high-water
 * mark, `process.resourceUsage().maxRSS`) belongs to that measurement alone and no JIT state or
 * garbage carries over from the one before. The child prints one result line, tagged, as JSON.
 */

const RESULT_TAG = 'BENCH_RESULT ';
const BENCH_DIR = import.meta.dirname;

export interface ChildRun<T> {
  readonly result: T;
  /** Spawn to exit, Node and tsx start-up included. */
  readonly processSeconds: number;
}

export interface ChildOptions {
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Killed (and the run failed) after this long. */
  readonly timeoutMs?: number;
  /** Called with every line the child prints that is not its result. */
  readonly onLine?: (line: string) => void;
  /** Load the script through tsx (default); false for plain JavaScript such as a bundle. */
  readonly tsx?: boolean;
}

/** `bench/<script>` (or an absolute path) in a child Node, `input` as its JSON argument. */
function spawnScript(script: string, input: unknown, options: Omit<ChildOptions, 'timeoutMs'>) {
  return spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      ...(options.tsx === false ? [] : ['--import', 'tsx']),
      resolve(BENCH_DIR, script),
      JSON.stringify(input),
    ],
    {
      cwd: resolve(BENCH_DIR, '..'),
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/**
 * Reads a child's stdout line by line: tagged result lines go to `onResult`, other non-blank
 * lines to `onLine`. Keeps the last 8,000 characters of stderr for the failure message.
 * `flush` reads a final line the child printed without a newline.
 */
function readOutput<T>(
  child: ReturnType<typeof spawnScript>,
  onResult: (result: T) => void,
  onLine: ((line: string) => void) | undefined,
): { flush(): void; stderr(): string } {
  let stderr = '';
  let pending = '';
  const take = (line: string) => {
    if (line.startsWith(RESULT_TAG)) onResult(JSON.parse(line.slice(RESULT_TAG.length)) as T);
    else if (line.trim() !== '') onLine?.(line);
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) take(line);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-8000);
  });
  return {
    flush() {
      if (pending.startsWith(RESULT_TAG)) take(pending);
      pending = '';
    },
    stderr: () => stderr.trim(),
  };
}

/**
 * Runs `bench/<script>` (or an absolute path) under tsx with `input` as its JSON argument;
 * resolves with its result.
 */
export function runChild<T>(
  script: string,
  input: unknown,
  options: ChildOptions = {},
): Promise<ChildRun<T>> {
  const started = performance.now();
  const child = spawnScript(script, input, options);
  let result: T | undefined;
  const output = readOutput<T>(
    child,
    (line) => {
      result = line;
    },
    options.onLine,
  );
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      output.flush();
      if (code === 0 && result !== undefined) {
        done({ result, processSeconds: (performance.now() - started) / 1000 });
      } else {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        fail(new Error(`${script} failed (${why}):\n${output.stderr()}`));
      }
    });
  });
}

export interface ServerChild<T> {
  /** The child's first result: it is ready to be measured. */
  readonly ready: Promise<T>;
  /** Asks the child to stop (SIGTERM) and resolves with its last result. */
  stop(): Promise<T>;
}

/**
 * A child that serves until stopped: it reports once when ready and once more on SIGTERM (its
 * peak RSS under load), then exits.
 */
export function startServerChild<T>(
  script: string,
  input: unknown,
  options: Omit<ChildOptions, 'timeoutMs'> = {},
): ServerChild<T> {
  const child = spawnScript(script, input, options);
  const results: T[] = [];
  const waiters: Array<(result: T) => void> = [];
  const output = readOutput<T>(
    child,
    (result) => {
      const waiter = waiters.shift();
      if (waiter) waiter(result);
      else results.push(result);
    },
    options.onLine,
  );
  const exited = new Promise<number | null>((done) => child.on('close', done));
  const next = (): Promise<T> => {
    const ready = results.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((done, fail) => {
      waiters.push(done);
      void exited.then((code) =>
        fail(new Error(`${script} exited (${code}):\n${output.stderr()}`)),
      );
    });
  };
  return {
    ready: next(),
    async stop() {
      const last = next();
      child.kill('SIGTERM');
      return last;
    },
  };
}

/** In a child: the JSON input its parent passed. */
export function childInput<T>(): T {
  const raw = process.argv[2];
  if (!raw) throw new Error('A benchmark child needs its JSON input as the first argument.');
  return JSON.parse(raw) as T;
}

/** In a child: hands the result to the parent. */
export function reportResult(result: unknown): void {
  process.stdout.write(`${RESULT_TAG}${JSON.stringify(result)}\n`);
}

/** Peak resident set of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Restarts the peak-RSS high-water mark (Linux: `5` to /proc/self/clear_refs), so a process that
 * first starts servers or synthesizes the stack can report the peak of what follows alone.
 * False where the kernel does not support it: the peak is then the whole process's.
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export const seconds = (since: number): number => (performance.now() - since) / 1000;
