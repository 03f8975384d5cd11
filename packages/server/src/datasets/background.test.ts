import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedDataset, Recipe, Step } from '@tidyvault/core';
import { NodeEngine } from '@tidyvault/engine-node';
import { RowCounts } from './count.js';
import { EngineMemory } from './memory.js';
import { RecipeStates, type StatesOptions } from './states.js';

/**
 * Pages answered before their recipe state exists (the state is made in the background), and
 * background states dropped cleanly. States are driven directly, with `directPageRows: 0`, so
 * small tables take the paths a million rows would.
 */

const ROWS = 200_000;

/** Deterministic, messy, several row groups (DuckDB works on them in parallel). */
const SOURCE_SQL = `CREATE TABLE bg_source AS SELECT
  CAST(i AS VARCHAR) AS id,
  CASE WHEN i % 7 = 0 THEN '  name ' || (i % 1000) || ' ' ELSE 'name ' || (i % 1000) END AS name,
  CASE WHEN i % 11 = 0 THEN NULL WHEN i % 13 = 0 THEN '' ELSE ['Paris', 'berlin', 'Rome', '  Oslo', 'paris'][(i * 7919) % 5 + 1] END AS city,
  CAST((i * 31) % 997 AS VARCHAR) AS v
FROM range(${ROWS}) t(i)`;

const trim: Step = { op: 'trim' };
const trimName: Step = { op: 'trim', columns: ['name'] };
const collapseName: Step = { op: 'collapse-whitespace', columns: ['name'] };
const upper: Step = { op: 'change-case', columns: ['city'], case: 'upper' };
const dropId: Step = { op: 'drop-columns', columns: ['id'] };
const sortCity: Step = { op: 'sort-rows', by: [{ column: 'city' }, { column: 'v', desc: true }] };
const paris: Step = { op: 'filter-rows', where: { column: 'city', op: 'eq', value: 'PARIS' } };
const blanks: Step = { op: 'blank-to-null', columns: ['city'] };
const fillDown: Step = { op: 'fill-null', columns: ['city'], strategy: 'down' };
const dedupe: Step = { op: 'dedupe-rows' };
const merge: Step = { op: 'cluster-merge', column: 'city', method: 'fingerprint' };
const toNumber: Step = { op: 'to-number', columns: ['v'] };

/** Every kind of head and tail (see core's steps/page-plan.ts): row-wise, filter, reordering, needing every row. */
const CASES: [string, Step[]][] = [
  ['row-wise steps', [trim, upper, dropId, toNumber]],
  ['a filter between row-wise steps', [trim, upper, paris, dropId]],
  ['a sort, then row-wise steps', [trim, sortCity, upper, dropId]],
  ['a filter after a sort', [upper, sortCity, paris]],
  [
    'row-wise steps that a sort does not read (run after it, on the page)',
    [trimName, collapseName, sortCity, dropId],
  ],
  [
    'a row-wise step that a filter does not read',
    [trimName, { op: 'filter-rows', where: { column: 'city', op: 'eq', value: 'Rome' } }],
  ],
  ['a fill-down (a window over the rows before)', [blanks, fillDown, trim]],
  ['a dedupe, then a row-wise step', [dropId, trim, dedupe, upper]],
  [
    'a dedupe right after the held state, then a row-wise step (first pages from the first rows)',
    [trim, { op: 'dedupe-rows', columns: ['name', 'city', 'v'] }, upper],
  ],
  ['a cluster merge, then a sort', [trim, merge, sortCity]],
  ['a cluster merge between row-wise steps (rows kept in place)', [trim, merge, upper]],
];

const recipeOf = (steps: Step[]): Recipe => ({ version: 1, steps });

let engine: NodeEngine;
let source: LoadedDataset;
beforeAll(async () => {
  engine = await NodeEngine.open({ memoryLimit: '1GB', threads: 2 });
  await engine.connection.run(SOURCE_SQL);
  source = {
    table: 'bg_source',
    columns: ['id', 'name', 'city', 'v'].map((name) => ({ name, type: 'text' as const })),
    rowCount: ROWS,
    warnings: [],
  };
});
afterAll(() => engine.close());

const stateTables = async () =>
  (
    await engine.connection.runAndReadAll(
      "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'bg_source_state_%'",
    )
  )
    .getRowsJson()
    .map((r) => String(r[0]));

/** Closed until open() is called: holds a background CREATE TABLE before it starts. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** EngineMemory whose table creations wait for `waitFor()` first. */
class GatedMemory extends EngineMemory {
  waitFor: () => Promise<void> = () => Promise.resolve();
  override create<T>(work: () => Promise<T>, setup?: () => Promise<void>) {
    return super.create(async () => {
      await this.waitFor();
      return work();
    }, setup);
  }
}

function states(o: Partial<StatesOptions> = {}) {
  const memory = new GatedMemory(engine);
  const made: { steps: number; fromSteps: number }[] = [];
  const failures: unknown[] = [];
  const s = new RecipeStates({
    engine,
    memory,
    source,
    room: () => true,
    counts: new RowCounts(),
    directPageRows: 0,
    onMaterialise: (m) => made.push(m),
    onFailure: (e) => failures.push(e),
    ...o,
  });
  return { s, memory, made, failures };
}

const sqlCount = async (recipe: Recipe) => {
  await engine.prepareClusterKeys(source, recipe);
  return Number(
    (
      await engine.connection.runAndReadAll(`SELECT count(*) FROM (${engine.sql(source, recipe)})`)
    ).getRowsJson()[0]![0],
  );
};

describe('pages before their recipe state exists', () => {
  it.each(CASES)('%s: same rows and total before the state exists and after', async (_name, steps) => {
    const recipe = recipeOf(steps);
    const total = await sqlCount(recipe);
    expect(total).toBeGreaterThan(10);
    const windows: [number, number][] = [
      [0, 50],
      [Math.floor(total / 2) - 3, 17],
      [total - 4, 10],
      [total + 5, 10],
      [1, 0],
    ];
    // The whole result, sliced: not a page computed by the paths under test.
    const all = await engine.run(source, recipe);
    const expected = windows.map(([offset, limit]) => ({
      columns: all.columns,
      rows: all.rows.slice(offset, offset + limit),
    }));
    const { s, made, failures } = states();
    try {
      // 1. A state for the first steps only; the recipe itself is not current, so nothing makes
      //    its state: every page is computed from that prefix's table plus the remaining steps.
      const prefix = recipeOf(steps.slice(0, 1));
      s.retain(recipeOf([...prefix.steps, { op: 'trim', columns: ['v'] }]));
      await s.page(prefix, 0, 1);
      await s.settled();
      expect(s.tables.map((t) => t.steps)).toEqual([1]);
      for (const [i, [offset, limit]] of windows.entries()) {
        const before = await s.page(recipe, offset, limit);
        expect(s.pending).toBe(0);
        expect(before.rows, `rows ${offset}+${limit} before`).toEqual(expected[i]!.rows);
        expect(before.columns).toEqual(expected[i]!.columns);
        expect(before.total).toBe(total);
      }
      expect(s.tables.map((t) => t.steps)).toEqual([1]);

      // 2. The recipe is current: its state is made (in the background), then pages read it.
      s.retain(recipe);
      await s.page(recipe, 0, 1);
      await s.settled();
      expect(s.tables.map((t) => t.steps)).toContain(steps.length);
      for (const [i, [offset, limit]] of windows.entries()) {
        const after = await s.page(recipe, offset, limit);
        expect(after.rows, `rows ${offset}+${limit} after`).toEqual(expected[i]!.rows);
        expect(after.total).toBe(total);
      }
      expect(made.at(-1)).toMatchObject({ steps: steps.length, fromSteps: 1 });
      expect(failures).toEqual([]);
    } finally {
      await s.dispose();
    }
  });

  // A cluster-merge keeps its rows in place: a page of it is the page's rows, each city spelled
  // as its cluster's most frequent spelling in the whole column.
  it.each([
    ['a row-wise step', upper],
    ['a cluster-merge', merge],
  ])(
    'answers a page after %s while its state is still being made, from the state before it',
    async (_n, step) => {
      const { s, memory } = states();
      try {
        const one = recipeOf([trim]);
        s.retain(one);
        await s.page(one, 0, 1);
        await s.settled();
        const two = recipeOf([trim, step]);
        s.retain(two);
        const held = gate();
        memory.waitFor = () => held.opened;
        const page = await s.page(two, 1000, 5);
        // Answered while the state of `two` waits to be made.
        expect(s.pending).toBe(1);
        expect(s.tables.map((t) => t.steps)).toEqual([1]);
        // The whole result, sliced: not a page computed by the paths under test.
        expect(page.rows).toEqual((await engine.run(source, two)).rows.slice(1000, 1005));
        expect(page.total).toBe(ROWS);
        held.open();
        await s.settled();
        expect(s.tables.map((t) => t.steps).sort()).toEqual([1, 2]);
      } finally {
        await s.dispose();
      }
    },
  );

  it('answers the first pages after a dedupe from the first rows, while its state is being made', async () => {
    // 30,000 rows that repeat ten values, then 20,000 distinct ones: the first page's rows are
    // rows 0–9 and 30,000–30,039, found only by looking past the first 10,000 rows.
    await engine.connection.run(`CREATE OR REPLACE TABLE bg_repeats AS SELECT
      CAST(CASE WHEN i < 30000 THEN i % 10 ELSE i END AS VARCHAR) AS a, 'x' AS b,
      CASE WHEN i % 4 = 0 THEN NULL ELSE 'y' END AS c
    FROM range(50000) t(i)`);
    const repeats: LoadedDataset = {
      table: 'bg_repeats',
      columns: ['a', 'b', 'c'].map((name) => ({ name, type: 'text' as const })),
      rowCount: 50_000,
      warnings: [],
    };
    const recipe = recipeOf([dedupe, { op: 'change-case', columns: ['a'], case: 'upper' }]);
    const all = await engine.run(repeats, recipe);
    const { s, memory } = states({ source: repeats });
    try {
      s.retain(recipe);
      const held = gate();
      memory.waitFor = () => held.opened;
      const check = async (offset: number, limit: number) => {
        const page = await s.page(recipe, offset, limit);
        expect(page.rows, `rows ${offset}+${limit}`).toEqual(all.rows.slice(offset, offset + limit));
        expect(page.total).toBe(all.rows.length);
      };
      await check(0, 50);
      await check(15, 30);
      // Answered while the state waited to be made.
      expect(s.pending).toBe(1);
      expect(s.tables).toEqual([]);
      // A deep page waits for it.
      const deep = check(all.rows.length - 5, 10);
      held.open();
      await deep;
      await s.settled();
    } finally {
      await s.dispose();
    }
  });

  it('waits for the state being made when the page needs every row (a dedupe)', async () => {
    const { s, memory, made } = states();
    try {
      const recipe = recipeOf([dropId, dedupe]);
      s.retain(recipe);
      const held = gate();
      memory.waitFor = () => held.opened;
      let answered = false;
      const page = s.page(recipe, 0, 5).then((p) => ((answered = true), p));
      await new Promise((r) => setImmediate(r));
      expect(answered).toBe(false);
      held.open();
      const p = await page;
      expect(made).toEqual([expect.objectContaining({ steps: 2, fromSteps: 0 })]);
      expect(p.total).toBe(await sqlCount(recipe));
    } finally {
      await s.dispose();
    }
  });

  it('does not make the state of a recipe that is no longer current, and still answers it', async () => {
    const { s, made } = states();
    try {
      // A prefix of the current recipe held (a state other than the current one, recently used).
      s.retain(recipeOf([trim, upper, dropId]));
      await s.page(recipeOf([trim]), 0, 1);
      await s.settled();
      expect(s.tables.map((t) => t.steps)).toEqual([1]);
      const count = made.length;
      // A read still in flight for a recipe the user moved away from.
      const stale = recipeOf([trim, sortCity]);
      const rows = await s.read(stale, (v) => engine.run(v.data, v.recipe, { limit: 3 }));
      expect(rows.rows).toEqual((await engine.run(source, stale, { limit: 3 })).rows);
      const page = await s.page(stale, 0, 3);
      expect(page.rows).toEqual(rows.rows);
      await s.settled();
      expect(made.length).toBe(count);
    } finally {
      await s.dispose();
    }
  });
});

describe('reads that do not wait for their state (readSoon: the profile after a step)', () => {
  it('profiles the column a row-wise step changed while its state is still being made', async () => {
    const { s, memory } = states();
    try {
      const one = recipeOf([trim]);
      s.retain(one);
      await s.read(one, () => Promise.resolve());
      const two = recipeOf([trim, upper]);
      s.retain(two);
      const held = gate();
      memory.waitFor = () => held.opened;
      const profile = await s.readSoon(two, (v) =>
        engine.profile(v.data, v.recipe, 10, { columns: ['city'] }),
      );
      // Answered while the state of `two` waits to be made, from the state of `one`.
      expect(s.pending).toBe(1);
      expect(s.tables.map((t) => t.steps)).toEqual([1]);
      expect(profile).toEqual(await engine.profile(source, two, 10, { columns: ['city'] }));
      expect(profile.columns[0]!.topValues[0]!.value).toBe('PARIS');
      held.open();
      await s.settled();
      expect(s.tables.map((t) => t.steps).sort()).toEqual([1, 2]);
    } finally {
      await s.dispose();
    }
  });

  it('answers 404 once the dataset is purged, running nothing', async () => {
    const { s } = states();
    await s.dispose();
    let ran = false;
    await expect(
      s.readSoon(recipeOf([trim]), async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({ status: 404 });
    expect(ran).toBe(false);
  });

  it('waits for the state when a step needs every row (a dedupe)', async () => {
    const { s, memory } = states();
    try {
      const recipe = recipeOf([dropId, dedupe]);
      s.retain(recipe);
      const held = gate();
      memory.waitFor = () => held.opened;
      let answered = false;
      const profile = s
        .readSoon(recipe, (v) => engine.profile(v.data, v.recipe))
        .then((p) => ((answered = true), p));
      await new Promise((r) => setImmediate(r));
      expect(answered).toBe(false);
      held.open();
      expect((await profile).rows).toBe(await sqlCount(recipe));
    } finally {
      await s.dispose();
    }
  });
});

describe('steps posted in a burst', () => {
  it('make one state for the steps since the one being made, not one per step', async () => {
    const { s, memory, made } = states();
    try {
      const held = gate();
      memory.waitFor = () => held.opened;
      const steps = [trim, upper, dropId, toNumber];
      for (let n = 1; n <= steps.length; n++) {
        const recipe = recipeOf(steps.slice(0, n));
        s.retain(recipe);
        const page = await s.page(recipe, 5, 3);
        expect(page.rows).toEqual((await engine.run(source, recipe, { offset: 5, limit: 3 })).rows);
      }
      held.open();
      await s.settled();
      expect(made.map((m) => [m.steps, m.fromSteps])).toEqual([
        [1, 0],
        [4, 1],
      ]);
    } finally {
      await s.dispose();
    }
  });

  it('still makes a state a read is waiting for', async () => {
    const { s, memory, made } = states();
    try {
      const held = gate();
      memory.waitFor = () => held.opened;
      s.retain(recipeOf([trim]));
      await s.page(recipeOf([trim]), 0, 1);
      s.retain(recipeOf([trim, upper]));
      const read = s.read(recipeOf([trim, upper]), async (v) => v.data.rowCount);
      await new Promise((r) => setImmediate(r));
      s.retain(recipeOf([trim, upper, dropId]));
      await s.page(recipeOf([trim, upper, dropId]), 0, 1);
      held.open();
      expect(await read).toBe(ROWS);
      await s.settled();
      expect(made.map((m) => [m.steps, m.fromSteps])).toEqual([
        [1, 0],
        [2, 1],
        [3, 2],
      ]);
    } finally {
      await s.dispose();
    }
  });
});

describe('background states dropped cleanly', () => {
  it('stops making a state the recipe moved away from (undo), keeping nothing', async () => {
    const { s, memory, made, failures } = states();
    try {
      const one = recipeOf([trim]);
      const two = recipeOf([trim, sortCity]);
      s.retain(two);
      const held = gate();
      memory.waitFor = () => held.opened;
      await s.page(two, 0, 5);
      expect(s.pending).toBe(1);
      s.retain(one);
      held.open();
      await s.settled();
      expect(made.filter((m) => m.steps === 2)).toEqual([]);
      expect(failures).toEqual([]);
      expect(s.tables.map((t) => t.steps)).not.toContain(2);
    } finally {
      await s.dispose();
    }
    expect(await stateTables()).toEqual([]);
  });

  it('leaves no table behind when the dataset is purged before the background state starts', async () => {
    const { s, memory } = states();
    const recipe = recipeOf([trim, upper]);
    s.retain(recipe);
    const held = gate();
    memory.waitFor = () => held.opened;
    await s.page(recipe, 0, 5);
    expect(s.pending).toBe(1);
    const purged = s.dispose();
    held.open();
    await purged;
    // Nothing still being made that could create a table later.
    expect(s.pending).toBe(0);
    expect(s.tables).toEqual([]);
    expect(await stateTables()).toEqual([]);
  });

  it('answers a read waiting for a state of a purged dataset with 404, running nothing on dropped tables', async () => {
    const { s, memory } = states();
    const recipe = recipeOf([trim, upper]);
    s.retain(recipe);
    const held = gate();
    memory.waitFor = () => held.opened;
    let ran = false;
    const profile = s.read(recipe, async () => (ran = true));
    const purged = s.dispose();
    held.open();
    await purged;
    await expect(profile).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    await expect(s.page(recipe, 0, 5)).rejects.toMatchObject({ status: 404 });
    expect(ran).toBe(false);
  });

  it('purges only once the reads running on its tables have finished, then drops their state', async () => {
    const { s } = states();
    const recipe = recipeOf([trim, upper]);
    s.retain(recipe);
    await s.page(recipe, 0, 1);
    await s.settled();
    const held = gate();
    const read = s.read(recipe, async (v) => {
      await held.opened;
      return engine.run(v.data, v.recipe, { limit: 2 });
    });
    await new Promise((r) => setImmediate(r));
    let purgedYet = false;
    const purged = s.dispose().then(() => (purgedYet = true));
    await new Promise((r) => setImmediate(r));
    // The read still uses the state's table: the purge waits for it (dropping the table under it
    // would fail the read, and at shutdown leave a query running on a closed connection).
    expect(purgedYet).toBe(false);
    expect(await stateTables()).toHaveLength(1);
    held.open();
    expect((await read).rows).toHaveLength(2);
    await purged;
    expect(await stateTables()).toEqual([]);
  });

  it('leaves no table behind when the dataset is purged while the background state is being made', async () => {
    // Big enough that the CREATE TABLE is still running when the purge comes (if it is not, it
    // has to be dropped afterwards: either way nothing may remain).
    await engine.connection.run(
      "CREATE TABLE bg_big AS SELECT '  ' || CAST(i AS VARCHAR) || ' x ' AS a FROM range(3000000) t(i)",
    );
    try {
      const big: LoadedDataset = {
        table: 'bg_big',
        columns: [{ name: 'a', type: 'text' }],
        rowCount: 3_000_000,
        warnings: [],
      };
      const { s, memory, made, failures } = states({ source: big });
      const recipe = recipeOf([trim, { op: 'change-case', columns: ['a'], case: 'upper' }]);
      s.retain(recipe);
      let startedWork!: () => void;
      const working = new Promise<void>((r) => (startedWork = r));
      memory.waitFor = async () => startedWork();
      const page = await s.page(recipe, 2_999_998, 5);
      expect(page.rows).toEqual([['2999998 X'], ['2999999 X']]);
      await working;
      await s.dispose();
      expect(s.pending).toBe(0);
      expect(made).toEqual([]);
      expect(failures).toEqual([]);
      expect(s.tables).toEqual([]);
      const left = await engine.connection.runAndReadAll(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'bg_big_state_%'",
      );
      expect(left.getRowsJson()).toEqual([]);
    } finally {
      await engine.connection.run('DROP TABLE bg_big');
    }
  });
});
