import { describe, expect, it } from 'vitest';
import { FreshRead } from '../../../lambdas/core/fresh-read';

/** A load whose calls the test answers one by one. */
function controlledLoad() {
  const calls: { resolve: (value: number) => void; reject: (error: Error) => void }[] = [];
  const load = () =>
    new Promise<number>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  return { calls, load };
}

describe('FreshRead', () => {
  it('starts a read at once for a caller that finds none in flight', async () => {
    // Prepare
    const { calls, load } = controlledLoad();
    const reads = new FreshRead(load);

    // Act
    const first = reads.read();
    calls[0]?.resolve(1);

    // Assess
    await expect(first).resolves.toBe(1);
    expect(reads.started).toBe(1);
  });

  it('never answers a caller with a read that started before it asked', async () => {
    // Prepare: A's read is in flight holding the value as it was (1)
    const { calls, load } = controlledLoad();
    const reads = new FreshRead(load);
    const a = reads.read();

    // Act: B and C ask while it is in flight, then it answers
    const b = reads.read();
    const c = reads.read();
    expect(calls).toHaveLength(1);
    calls[0]?.resolve(1);
    await a;

    // Assess: B and C share ONE new read, started after A's ended, and get its value (2)
    await Promise.resolve();
    expect(calls).toHaveLength(2);
    calls[1]?.resolve(2);
    await expect(b).resolves.toBe(2);
    await expect(c).resolves.toBe(2);
    expect(reads.started).toBe(2);
  });

  it('keeps at most one read in flight and one queued, however many callers', async () => {
    // Prepare
    const { calls, load } = controlledLoad();
    const reads = new FreshRead(load);

    // Act: 50 callers at once, then 50 more while the second read is in flight
    const firstWave = Array.from({ length: 50 }, () => reads.read());
    calls[0]?.resolve(1);
    await firstWave[0];
    await Promise.resolve();
    const secondWave = Array.from({ length: 50 }, () => reads.read());
    calls[1]?.resolve(2);
    await Promise.all(firstWave);
    await Promise.resolve();
    calls[2]?.resolve(3);

    // Assess: 100 callers, 3 reads: [1, 2 × 49] then [3 × 50]
    expect(await Promise.all(firstWave)).toEqual([1, ...Array(49).fill(2)]);
    expect(await Promise.all(secondWave)).toEqual(Array(50).fill(3));
    expect(calls).toHaveLength(3);
  });

  it('fails only the callers of a failed read, and the next caller reads again', async () => {
    // Prepare
    const { calls, load } = controlledLoad();
    const reads = new FreshRead(load);
    const failed = reads.read();
    const queued = reads.read();

    // Act
    calls[0]?.reject(new Error('throttled'));
    await expect(failed).rejects.toThrow('throttled');
    await Promise.resolve();
    calls[1]?.resolve(7);

    // Assess
    await expect(queued).resolves.toBe(7);
    const later = reads.read();
    calls[2]?.resolve(8);
    await expect(later).resolves.toBe(8);
  });

  it('turns a load that throws synchronously into a rejection', async () => {
    const reads = new FreshRead<number>(() => {
      throw new Error('no client');
    });
    await expect(reads.read()).rejects.toThrow('no client');
    await expect(reads.read()).rejects.toThrow('no client');
  });
});
