import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../lib/local/faults';

/** A handler that counts its runs, so "before" and "after" can be told apart. */
function counted() {
  let runs = 0;
  return { run: async () => ++runs, runs: () => runs };
}

describe('FaultInjector', () => {
  it('fails before the handler runs, once, then lets it through', async () => {
    // Prepare
    const faults = new FaultInjector([{ state: 'Aggregate', when: 'before' }]);
    const handler = counted();

    // Act
    const first = faults.run({ state: 'Aggregate' }, {}, handler.run);

    // Assess
    await expect(first).rejects.toMatchObject({ name: 'InjectedFault' });
    expect(handler.runs()).toBe(0);
    await expect(faults.run({ state: 'Aggregate' }, {}, handler.run)).resolves.toBe(1);
  });

  it('fails after the handler ran: its side effects happened, the result is lost', async () => {
    const faults = new FaultInjector();
    const armed = faults.add({ function: 'Register', error: new TypeError('boom'), times: 2 });
    const handler = counted();
    const target = { functionIds: ['HandlersRegister1234', 'Register'] };

    await expect(faults.run(target, {}, handler.run)).rejects.toThrow(TypeError);
    await expect(faults.run(target, {}, handler.run)).rejects.toThrow('boom');
    await expect(faults.run(target, {}, handler.run)).resolves.toBe(3);
    expect(handler.runs()).toBe(3);
    expect([armed.fired(), armed.spent()]).toEqual([2, true]);
  });

  it('only fires for matching inputs and the named state, shaping the error', async () => {
    const faults = new FaultInjector([
      { state: 'Validate', match: (input) => (input as { key: string }).key === 'b.csv' },
    ]);
    const handler = counted();
    const asLambda = (error: Error) => Object.assign(new Error(error.message), { name: 'Shaped' });

    await expect(faults.run({ state: 'Enrich' }, { key: 'b.csv' }, handler.run)).resolves.toBe(1);
    await expect(faults.run({ state: 'Validate' }, { key: 'a.csv' }, handler.run)).resolves.toBe(2);
    await expect(
      faults.run({ state: 'Validate' }, { key: 'b.csv' }, handler.run, asLambda),
    ).rejects.toMatchObject({ name: 'Shaped' });
  });

  it('with error null only delays, and refuses a fault that names nothing', async () => {
    const faults = new FaultInjector();
    const armed = faults.add({ state: 'Aggregate', error: null, delayMs: 1 });
    const handler = counted();

    await expect(faults.run({ state: 'Aggregate' }, {}, handler.run)).resolves.toBe(1);
    expect(armed.fired()).toBe(1);
    expect(() => faults.add({ when: 'before' })).toThrow('names a state or a function');
  });
});
