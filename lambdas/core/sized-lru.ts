/**
 * A least-recently-used map bounded by the total size its entries declare (an estimate in bytes,
 * given by the caller), not by their number: a warm Lambda's memory is what must stay bounded,
 * and one 24-month answer weighs as much as dozens of one-month ones.
 */
export class SizedLru<V> {
  // A Map iterates in insertion order: re-inserting on every hit keeps the coldest entry first.
  private readonly entries = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(readonly maxSize: number) {
    if (!(maxSize > 0)) throw new RangeError('maxSize must be positive');
  }

  /** The sum of the sizes of the entries held. */
  get size(): number {
    return this.total;
  }

  get count(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /**
   * Stores a value, evicting the least recently used entries until the total fits. A value larger
   * than the whole budget is not stored (it would evict everything and then itself).
   */
  set(key: string, value: V, size: number): void {
    // a NaN or negative size would poison the running total and with it every later eviction
    if (!Number.isFinite(size) || size < 0) throw new RangeError(`cache entry size ${size}`);
    this.delete(key);
    if (size > this.maxSize) return;
    this.entries.set(key, { value, size });
    this.total += size;
    for (const [coldest, entry] of this.entries) {
      if (this.total <= this.maxSize) break;
      this.entries.delete(coldest);
      this.total -= entry.size;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.size;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}
