/** Test helpers: feed bytes to the readers in chosen chunk sizes and collect what they yield. */

/** Yields `bytes` in chunks whose sizes come from `sizeOf` (called with the chunk index). */
export async function* chunked(
  bytes: Uint8Array,
  sizeOf: (index: number) => number = () => bytes.length,
): AsyncGenerator<Uint8Array> {
  let index = 0;
  for (let offset = 0; offset < bytes.length; index += 1) {
    const size = Math.max(1, sizeOf(index));
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

/** Yields exactly the given pieces, to split a file at chosen offsets. */
export async function* pieces(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Small deterministic PRNG (mulberry32) so random chunkings are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A source that records how many chunks were pulled and whether it was closed early. */
export function trackedSource(chunks: readonly Uint8Array[]) {
  const state = { pulled: 0, closed: false };
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      for (const chunk of chunks) {
        state.pulled += 1;
        yield chunk;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, source: source() };
}
