import { TidyvaultError, type LoadedDataset, type Recipe, type Step } from '@tidyvault/core';
import { describe, expect, it } from 'vitest';
import type { LocalEngine } from './local-engine.js';
import { HeapBudget, LocalStates } from './local-states.js';

const source: LoadedDataset = {
  table: 'source',
  columns: [{ name: 'a', type: 'text' }],
  rowCount: 10,
  warnings: [],
};
const trim = (c: string): Step => ({ op: 'trim', columns: [c] }) as Step;
const recipe = (...steps: Step[]): Recipe => ({ version: 1, steps });

/** What the states asked the engine to make and drop; tables are named after the steps they hold. */
function fakeEngine(o: { failWith?: Error } = {}) {
  const made: string[] = [];
  const dropped: string[] = [];
  const engine = {
    materialise: async (from: LoadedDataset, r: Recipe) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (o.failWith) throw o.failWith;
      const table = `${from.table}+${r.steps.map((s) => (s as { columns: string[] }).columns[0]).join('')}`;
      made.push(table);
      return { ...from, table };
    },
    dropState: async (s: LoadedDataset) => {
      dropped.push(s.table);
    },
  } as unknown as LocalEngine;
  return { engine, made, dropped };
}

const tableOf = (states: LocalStates, r: Recipe) =>
  states.read(r, async (data, rest) => ({ table: data.table, rest: rest.steps.length }));

describe('LocalStates', () => {
  it('makes a state once and reads it with no steps left', async () => {
    const { engine, made } = fakeEngine();
    const states = new LocalStates(engine, source, new HeapBudget(1000), 10);
    const r = recipe(trim('a'), trim('b'));
    expect(await tableOf(states, r)).toEqual({ table: 'source+ab', rest: 0 });
    expect(await tableOf(states, r)).toEqual({ table: 'source+ab', rest: 0 });
    expect(made).toEqual(['source+ab']);
  });

  it('reads the source itself for the empty recipe', async () => {
    const { engine, made } = fakeEngine();
    const states = new LocalStates(engine, source, new HeapBudget(1000), 10);
    expect(await tableOf(states, recipe())).toEqual({ table: 'source', rest: 0 });
    expect(made).toEqual([]);
  });

  it('makes a state with one more step from the state before it', async () => {
    const { engine, made } = fakeEngine();
    const states = new LocalStates(engine, source, new HeapBudget(1000), 10);
    await tableOf(states, recipe(trim('a')));
    expect(await tableOf(states, recipe(trim('a'), trim('b')))).toEqual({ table: 'source+a+b', rest: 0 });
    expect(made).toEqual(['source+a', 'source+a+b']);
  });

  it('keeps two states and drops the least recently used once nothing reads it', async () => {
    const { engine, dropped } = fakeEngine();
    const states = new LocalStates(engine, source, new HeapBudget(1000), 10);
    await tableOf(states, recipe(trim('a')));
    await tableOf(states, recipe(trim('b')));
    expect(dropped).toEqual([]);
    await tableOf(states, recipe(trim('c')));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(dropped).toEqual(['source+a']);
  });

  it('does not drop a state while a read still uses it', async () => {
    const { engine, dropped } = fakeEngine();
    const states = new LocalStates(engine, source, new HeapBudget(1000), 10);
    let release!: () => void;
    const slow = states.read(recipe(trim('a')), () => new Promise<void>((r) => (release = r)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await tableOf(states, recipe(trim('b')));
    await tableOf(states, recipe(trim('c')));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(dropped).toEqual([]);
    release();
    await slow;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(dropped).toEqual(['source+a']);
  });

  it('reads through the recipe when the heap budget has no room for a state', async () => {
    const { engine, made } = fakeEngine();
    const budget = new HeapBudget(100);
    budget.hold(45);
    const states = new LocalStates(engine, source, budget, 10);
    expect(await tableOf(states, recipe(trim('a')))).toEqual({ table: 'source', rest: 1 });
    expect(made).toEqual([]);
  });

  it('gives a dropped state’s bytes back to the budget', async () => {
    const { engine } = fakeEngine();
    const budget = new HeapBudget(80);
    const states = new LocalStates(engine, source, budget, 20);
    await tableOf(states, recipe(trim('a')));
    await tableOf(states, recipe(trim('b')));
    // Two states of 20 fill the 80 bytes (half of the heap for tables): a third waits for a drop.
    expect(await tableOf(states, recipe(trim('c')))).toEqual({ table: 'source', rest: 1 });
    await states.dispose();
    expect(budget.take(40)).toBe(true);
  });

  it('reads through the recipe from then on when DuckDB runs out of memory making a state', async () => {
    const { engine, made } = fakeEngine({ failWith: new TidyvaultError('OUT_OF_MEMORY', 'no room') });
    const states = new LocalStates(engine, source, new HeapBudget(1000), 10);
    expect(await tableOf(states, recipe(trim('a')))).toEqual({ table: 'source', rest: 1 });
    expect(await tableOf(states, recipe(trim('b')))).toEqual({ table: 'source', rest: 1 });
    expect(made).toEqual([]);
  });

  it('passes on a step’s error and makes the state again when asked again', async () => {
    const failure = new TidyvaultError('EXECUTION', 'step 1 failed');
    const fake = fakeEngine({ failWith: failure });
    const states = new LocalStates(fake.engine, source, new HeapBudget(1000), 10);
    await expect(tableOf(states, recipe(trim('a')))).rejects.toBe(failure);
    await expect(tableOf(states, recipe(trim('a')))).rejects.toBe(failure);
  });

  it('a look at an earlier step makes no state: it reads from the longest held prefix', async () => {
    const { engine, made, dropped } = fakeEngine();
    const states = new LocalStates(engine, source, new HeapBudget(1000), 10);
    await tableOf(states, recipe(trim('a')));
    await tableOf(states, recipe(trim('a'), trim('b'), trim('c')));
    const peek = (r: Recipe) =>
      states.read(r, async (data, rest) => ({ table: data.table, rest: rest.steps.length }), { make: false });
    expect(await peek(recipe(trim('a'), trim('b')))).toEqual({ table: 'source+a', rest: 1 });
    expect(await peek(recipe(trim('x')))).toEqual({ table: 'source', rest: 1 });
    expect(await peek(recipe(trim('a'), trim('b'), trim('c')))).toEqual({ table: 'source+a+bc', rest: 0 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(made).toEqual(['source+a', 'source+a+bc']);
    expect(dropped).toEqual([]);
  });

  it('while a state is being made, answers `soon` work from the longest state made, in the background of it', async () => {
    const { engine, made } = fakeEngine();
    const backgrounds: boolean[] = [];
    const materialise = engine.materialise.bind(engine);
    engine.materialise = (from, r, o) => {
      backgrounds.push(o?.background === true);
      return materialise(from, r, o);
    };
    const states = new LocalStates(engine, source, new HeapBudget(1000), 10);
    await tableOf(states, recipe(trim('a')));
    const soonly = (r: Recipe) =>
      states.read(r, async (data, rest) => ({ via: 'state', table: data.table, rest: rest.steps.length }), {
        soon: (data, rest) => async () => ({ via: 'soon', table: data.table, rest: rest.steps.length }),
      });
    // The state of a+b is being made: the page comes from a's table with one step to run.
    expect(await soonly(recipe(trim('a'), trim('b')))).toEqual({ via: 'soon', table: 'source+a', rest: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Made: read as usual.
    expect(await soonly(recipe(trim('a'), trim('b')))).toEqual({
      via: 'state',
      table: 'source+a+b',
      rest: 0,
    });
    // `soon` may decline (the steps need every row): it waits for the state.
    const waited = await states.read(recipe(trim('a'), trim('c')), async (data) => data.table, {
      soon: () => undefined,
    });
    expect(waited).toBe('source+a+c');
    expect(made).toEqual(['source+a', 'source+a+b', 'source+a+c']);
    expect(backgrounds.every(Boolean)).toBe(true);
  });

  it('drops every state on dispose', async () => {
    const { engine, dropped } = fakeEngine();
    const states = new LocalStates(engine, source, new HeapBudget(1000), 10);
    await tableOf(states, recipe(trim('a')));
    await tableOf(states, recipe(trim('b')));
    await states.dispose();
    expect(dropped.sort()).toEqual(['source+a', 'source+b']);
  });
});
