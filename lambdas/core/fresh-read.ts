/**
 * Coalesces concurrent reads of one value without ever answering a caller with a read that
 * started before the caller asked. A caller that finds no read in flight starts one; callers
 * that arrive while one is in flight wait for the NEXT read, started as soon as the current one
 * settles and shared by all of them. So at most one read is in flight and one queued, however
 * many callers there are, and each caller sees every write that completed before it asked —
 * joining a read already in flight could return a value from before a write the caller has
 * already seen finish (e.g. an upload's workflow that completed just before the request).
 */
export class FreshRead<T> {
  private inFlight: Promise<T> | undefined;
  private waiting: { promise: Promise<T>; settle: (read: Promise<T>) => void } | undefined;
  private reads = 0;

  constructor(private readonly load: () => Promise<T>) {}

  /** How many reads have been started (for tests and metrics). */
  get started(): number {
    return this.reads;
  }

  read(): Promise<T> {
    if (!this.inFlight) return this.launch();
    if (!this.waiting) {
      let settle: (read: Promise<T>) => void = () => {};
      const promise = new Promise<T>((resolve) => {
        settle = resolve;
      });
      this.waiting = { promise, settle };
    }
    return this.waiting.promise;
  }

  private launch(): Promise<T> {
    this.reads += 1;
    // The executor runs load() now; a synchronous throw becomes a rejection.
    const read = new Promise<T>((resolve) => resolve(this.load()));
    this.inFlight = read;
    const next = () => {
      this.inFlight = undefined;
      const queued = this.waiting;
      this.waiting = undefined;
      if (queued) queued.settle(this.launch());
    };
    read.then(next, next);
    return read;
  }
}
