import {
  analyzeRecipe,
  recipeExecutionError,
  type LoadedDataset,
  type Recipe,
  type Step,
} from '@tidyvault/core';
import { describe, expect, it } from 'vitest';
import { BackendError } from './backend.js';
import type { LocalEngine } from './local-engine.js';
import { LocalBackend } from './local-backend.js';

const source: LoadedDataset = {
  table: 'source',
  columns: [
    { name: 'city', type: 'text' },
    { name: 'n', type: 'text' },
  ],
  rowCount: 3,
  warnings: [],
};

/**
 * An engine that checks each recipe as the real ones do (core's analyzeRecipe, which names the
 * failing step) and answers with empty results: what is tested is how the backend words errors.
 */
function checkingEngine(): LocalEngine {
  const check = async (d: LoadedDataset, r: Recipe) => {
    analyzeRecipe(r, d.columns);
  };
  const page = { columns: source.columns, rows: [] };
  return {
    estimateFile: async () => ({ bytes: 100, fits: true }),
    loadFile: async () => source,
    validate: check,
    run: async (d: LoadedDataset, r: Recipe) => (await check(d, r), page),
    runQuery: async () => page,
    count: async (d: LoadedDataset, r: Recipe) => (await check(d, r), 0),
    facet: async (d: LoadedDataset, r: Recipe) => (await check(d, r), { values: [], distinct: 0 }),
    histogram: async (d: LoadedDataset, r: Recipe) => (await check(d, r), { bins: [] }),
    materialise: async (d: LoadedDataset, r: Recipe) => (await check(d, r), { ...d, table: 'state' }),
    dropState: async () => undefined,
    drop: async () => undefined,
  } as unknown as LocalEngine;
}

async function opened(steps: Step[] = []) {
  const backend = new LocalBackend(async () => checkingEngine());
  const { id } = await backend.upload(new File(['city,n\n'], 'f.csv'), {}, () => undefined).done;
  for (const step of steps) await backend.addStep(id, step);
  return { backend, id };
}

const nope = { column: 'nope', op: 'is-null' } as const;

describe("LocalBackend: a facet's filter (the view filter)", () => {
  it("is named as the view's filter when it fails, not as a step the recipe does not have", async () => {
    for (const steps of [[], [{ op: 'trim', columns: ['city'] } as Step]]) {
      const { backend, id } = await opened(steps);
      for (const ask of [
        () => backend.rows(id, 0, 10, undefined, nope),
        () => backend.facet(id, 'city', nope),
        () => backend.histogram(id, 'n', 10, nope),
      ]) {
        const e = (await ask().catch((x: unknown) => x)) as BackendError;
        expect(e).toBeInstanceOf(BackendError);
        expect(e.message).toMatch(/^where \(the view's filter, not a step\): .*"nope"/);
        expect(e.step).toBeUndefined();
        expect(e.column).toBe('nope');
      }
    }
  });

  it('still names a failing step of the recipe as that step', async () => {
    const { backend, id } = await opened();
    const e = (await backend
      .addStep(id, { op: 'trim', columns: ['gone'] } as Step)
      .catch((x: unknown) => x)) as BackendError;
    expect(e.message).toMatch(/^step 1 \(trim\)/);
    expect(e.step).toEqual({ index: 1, op: 'trim' });
  });
});

describe('LocalBackend: a step the data refuses', () => {
  it('is refused when added, named as the user counts steps, and the recipe stays as it was', async () => {
    const engine = checkingEngine();
    const lengths: { steps: string[]; column: string }[] = [];
    // As the engines' growth guard: the step's values are past the most a cell may hold.
    const refuse = (r: Recipe) => {
      const i = r.steps.findIndex((s) => s.op === 'replace' && s.find === 'grow');
      if (i >= 0)
        throw recipeExecutionError(
          `step ${i + 1} (replace), column "city": a value would grow past 16 MiB, the most a cell may hold`,
        );
    };
    const materialise = engine.materialise;
    engine.materialise = async (d, r, o) => (refuse(r), materialise(d, r, o));
    engine.histogram = async (d, r, column) => {
      lengths.push({ steps: r.steps.map((s) => s.op), column });
      refuse(r);
      return { column, min: null, max: null, bins: [], missing: 0 };
    };
    const backend = new LocalBackend(async () => engine);
    const { id } = await backend.upload(new File(['city,n\n'], 'f.csv'), {}, () => undefined).done;
    await backend.addStep(id, { op: 'trim', columns: ['city'] } as Step);
    await backend.addStep(id, { op: 'replace', columns: ['city'], find: 'a', replace: 'b' } as Step);
    // Only the replace was computed (on its state, made for the check): a trim cannot refuse a value.
    expect(lengths).toEqual([{ steps: [], column: 'city' }]);
    const before = (await backend.dataset(id)).history;
    const e = (await backend
      .addStep(id, { op: 'replace', columns: ['city'], find: 'grow', replace: 'x' } as Step)
      .catch((x: unknown) => x)) as BackendError;
    expect(e).toBeInstanceOf(BackendError);
    expect(e.message).toContain('step 3 (replace), column "city": a value would grow past 16 MiB');
    expect(e.step).toEqual({ index: 3, op: 'replace' });
    expect(e.column).toBe('city');
    expect((await backend.dataset(id)).history).toEqual(before);
  });
});

/**
 * A backend over the checking engine, its queries and counts recorded, with a trim's state made
 * and then `step` added, whose own state is held back until `made()`.
 */
async function afterHeldStep(step: Step) {
  const engine = checkingEngine();
  const runs: { table: string; ops: string[]; offset?: number; limit?: number }[] = [];
  const queries: string[] = [];
  const counts: string[][] = [];
  let made!: () => void;
  const held = new Promise<void>((resolve) => (made = resolve));
  const { materialise, run, runQuery, count } = engine;
  engine.materialise = async (d, r, o) => {
    if (r.steps.some((s) => s.op === step.op)) await held;
    return materialise(d, r, o);
  };
  engine.run = async (d, r, o) => {
    const { offset, limit } = o ?? {};
    runs.push({ table: d.table, ops: r.steps.map((s) => s.op), offset, limit });
    return run(d, r, o);
  };
  engine.runQuery = async (q, c) => (queries.push(JSON.stringify(q)), runQuery(q, c));
  engine.count = async (d, r) => (counts.push(r.steps.map((s) => s.op)), count(d, r));
  const backend = new LocalBackend(async () => engine);
  const { id } = await backend.upload(new File(['city,n\n'], 'f.csv'), {}, () => undefined).done;
  await backend.addStep(id, { op: 'trim', columns: ['city'] } as Step);
  await backend.rows(id, 0, 10);
  await backend.addStep(id, step);
  runs.length = 0;
  queries.length = 0;
  return { backend, id, runs, queries, counts, made };
}

describe('LocalBackend: the first page after a cluster-merge', () => {
  it('is the range of rows of the state before it, while its own state is made, total known without a count', async () => {
    const merge = { op: 'cluster-merge', column: 'city', method: 'fingerprint' } as Step;
    const { backend, id, runs, counts, made } = await afterHeldStep(merge);
    const page = await backend.rows(id, 20, 10);
    // Answered while the merge's state is still held back: from the trim's state, rows 20–29.
    expect(runs).toEqual([{ table: 'state', ops: ['cluster-merge'], offset: 20, limit: 10 }]);
    expect(page.total).toBe(source.rowCount);
    expect(counts).toEqual([]);
    made();
  });
});

describe('LocalBackend: the first page after a dedupe', () => {
  it('comes from the first rows of the state before it, while the dedupe’s state is made', async () => {
    const { backend, id, queries, counts, made } = await afterHeldStep({ op: 'dedupe-rows' } as Step);
    await backend.rows(id, 0, 10);
    expect(queries).toHaveLength(1);
    // The state's first 10,000 rows (a rowid range), not the whole table.
    expect(queries[0]).toContain('"from":{"kind":"table","name":"state"}');
    expect(queries[0]).toMatch(
      /"op":"<","left":\{"kind":"column","name":"rowid"\},"right":\{"kind":"literal","value":10000\}/,
    );
    expect(counts).toEqual([['dedupe-rows']]);
    made();
  });
});

describe('LocalBackend: a page still being computed when the recipe changes', () => {
  it('stops (CANCELLED), as a levenshtein merge’s clustering does on its signal', async () => {
    const engine = checkingEngine();
    // The merge's state is never made: its pages come from run(), as while a state is being made.
    engine.materialise = () => new Promise(() => undefined);
    let signals: AbortSignal[] = [];
    engine.run = (_d, _r, o) =>
      new Promise((_resolve, reject) => {
        signals.push(o!.signal!);
        o!.signal!.addEventListener('abort', () => reject(o!.signal!.reason));
      });
    const backend = new LocalBackend(async () => engine);
    const { id } = await backend.upload(new File(['city,n\n'], 'f.csv'), {}, () => undefined).done;
    await backend.addStep(id, { op: 'cluster-merge', column: 'city', method: 'levenshtein' } as Step);
    const page = backend.rows(id, 0, 10).catch((e: unknown) => e);
    await expect.poll(() => signals.length).toBe(1);
    await backend.undo(id);
    const e = (await page) as BackendError;
    expect(e).toBeInstanceOf(BackendError);
    expect([e.status, e.code]).toEqual([499, 'CANCELLED']);
    // A page asked after the change has a signal of its own, not aborted.
    signals = [];
    await backend.redo(id);
    void backend.rows(id, 0, 10).catch(() => undefined);
    await expect.poll(() => signals.length).toBe(1);
    expect(signals[0]!.aborted).toBe(false);
  });
});
