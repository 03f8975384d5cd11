import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recipe } from '@tidyvault/core';
import { harness, upload, type Harness } from '../test-support.js';

const W1 = new URL('../../../../fixtures/w1/', import.meta.url);
const input = fs.readFileSync(new URL('input.csv', W1));
const recipe = JSON.parse(fs.readFileSync(new URL('recipe.json', W1), 'utf8')) as Recipe;

/** Shuffled-looking rows whose order matters to fill-down, dedupe and sort. */
const ORDERED = ['k,v', 'b,1', 'a,', 'b,3', 'a,', 'c,5', 'b,1', 'a,7'].join('\n');

describe('recipe states (prefix caching)', () => {
  let h: Harness;
  let auth: Record<string, string>;
  beforeAll(async () => {
    h = await harness();
    auth = (await h.login()).headers;
  });
  afterAll(() => h.close());

  const get = (url: string) => h.t.app.inject({ method: 'GET', url, headers: auth });
  const post = (url: string, payload?: object) =>
    h.t.app.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });
  const rows = async (id: string, query = 'offset=0&limit=10000') => {
    const res = await get(`/api/datasets/${id}/rows?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { total: number; rows: unknown[][]; columns: { name: string }[] };
  };
  const materialised = () =>
    h
      .logs()
      .split('\n')
      .filter((l) => l.includes('"op":"dataset.materialise"'))
      .map((l) => JSON.parse(l) as { dataset: string; steps: number; fromSteps: number });
  const stateTables = async () => {
    const r = await h.engine.connection.runAndReadAll(
      "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%_state_%'",
    );
    return r.getRowsJson().map((x) => String(x[0]));
  };

  it('gives, step by step, exactly the rows of the whole recipe run from the source', async () => {
    const res = await upload(h, auth, 'w1.csv', input);
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const source = (await h.t.store.get(id, 'local', 'test'))!.data;
    for (let n = 1; n <= recipe.steps.length; n++) {
      expect((await post(`/api/datasets/${id}/steps`, { step: recipe.steps[n - 1] })).statusCode).toBe(200);
      // The server's read first: it must not rely on anything the direct run below prepares.
      const cached = await rows(id);
      const direct = await h.engine.run(source, { version: 1, steps: recipe.steps.slice(0, n) });
      expect(cached.rows, `after ${n} steps`).toEqual(direct.rows);
      expect(cached.total).toBe(direct.rows.length);
      expect(cached.columns).toEqual(direct.columns);
      // A page deep inside is the same slice.
      const deep = await rows(id, `offset=${direct.rows.length - 7}&limit=5`);
      expect(deep.rows).toEqual(direct.rows.slice(-7, -2));
    }
    // Each appended step was computed from the state before it, not from the source.
    const made = materialised().filter((m) => m.dataset === id);
    expect(made.map((m) => [m.steps, m.fromSteps])).toEqual(recipe.steps.map((_, i) => [i + 1, i]));
  });

  it('keeps row order through fill-down, dedupe and sort, and previews a prefix with ?step', async () => {
    const id = (await upload(h, auth, 'ordered.csv', ORDERED)).json().id as string;
    const steps = [
      { op: 'blank-to-null', columns: ['v'] },
      { op: 'fill-null', columns: ['v'], strategy: 'down' },
      { op: 'dedupe-rows' },
      { op: 'sort-rows', by: [{ column: 'k', desc: true }] },
    ];
    for (const step of steps) await post(`/api/datasets/${id}/steps`, { step });
    expect((await rows(id)).rows).toEqual([
      ['c', '5'],
      ['b', '1'],
      ['b', '3'],
      ['a', '1'],
      ['a', '3'],
      ['a', '7'],
    ]);
    expect((await rows(id, 'step=2')).rows).toEqual([
      ['b', '1'],
      ['a', '1'],
      ['b', '3'],
      ['a', '3'],
      ['c', '5'],
      ['b', '1'],
      ['a', '7'],
    ]);
    expect((await rows(id, 'offset=2&limit=2')).rows).toEqual([
      ['b', '3'],
      ['a', '1'],
    ]);
  });

  it('forgets states on undo, redo and recipe change, and answers for the new state', async () => {
    const id = (await upload(h, auth, 'ordered.csv', ORDERED)).json().id as string;
    await post(`/api/datasets/${id}/steps`, { step: { op: 'change-case', columns: ['k'], case: 'upper' } });
    const facet = async () =>
      (await get(`/api/datasets/${id}/facet?column=k`)).json().values.map((v: { value: string }) => v.value);
    const profileNulls = async () =>
      (await get(`/api/datasets/${id}/profile`)).json().columns.find((c: { name: string }) => c.name === 'v')
        .nulls;
    expect(await facet()).toEqual(['A', 'B', 'C']);
    expect(await profileNulls()).toBe(0);
    await post(`/api/datasets/${id}/steps`, { step: { op: 'blank-to-null', columns: ['v'] } });
    expect(await profileNulls()).toBe(2);
    await post(`/api/datasets/${id}/undo`);
    expect(await profileNulls()).toBe(0);
    await post(`/api/datasets/${id}/undo`);
    expect(await facet()).toEqual(['a', 'b', 'c']);
    await post(`/api/datasets/${id}/redo`);
    expect(await facet()).toEqual(['A', 'B', 'C']);
    const put = await h.t.app.inject({
      method: 'PUT',
      url: `/api/datasets/${id}/recipe`,
      headers: auth,
      payload: {
        recipe: { version: 1, steps: [{ op: 'filter-rows', where: { column: 'k', op: 'eq', value: 'c' } }] },
      },
    });
    expect(put.statusCode).toBe(200);
    expect(await facet()).toEqual(['c']);
    expect((await rows(id)).total).toBe(1);
    const loc = (await get(`/api/datasets/${id}/location`)).json();
    // Only the current state is held: the states of the old recipe were dropped.
    expect(loc.recipeStates.map((s: { steps: number }) => s.steps)).toEqual([1]);
    expect(loc.bytes.recipeStates).toBeGreaterThan(0);
  });

  it('does not keep a state made for a recipe that was replaced while it was being made', async () => {
    const id = (await upload(h, auth, 'w1.csv', input)).json().id as string;
    await post(`/api/datasets/${id}/steps`, { step: recipe.steps[0] });
    const replace = { version: 1, steps: [{ op: 'change-case', columns: ['city'], case: 'upper' }] };
    const [page, put] = await Promise.all([
      rows(id, 'limit=5'),
      h.t.app.inject({
        method: 'PUT',
        url: `/api/datasets/${id}/recipe`,
        headers: auth,
        payload: { recipe: replace },
      }),
    ]);
    expect(page.rows).toHaveLength(5);
    expect(put.statusCode).toBe(200);
    const loc = (await get(`/api/datasets/${id}/location`)).json();
    expect(loc.recipeStates).toEqual([]);
    expect(loc.bytes.recipeStates).toBe(0);
    expect((await rows(id, 'limit=1')).rows[0]).toContain('SAN FRANCISCO');
  });

  it('serves an undo from the state kept before the step, computing nothing', async () => {
    const id = (await upload(h, auth, 'ordered.csv', ORDERED)).json().id as string;
    await post(`/api/datasets/${id}/steps`, { step: { op: 'change-case', columns: ['k'], case: 'upper' } });
    await rows(id);
    await post(`/api/datasets/${id}/steps`, { step: { op: 'dedupe-rows' } });
    expect((await rows(id)).total).toBe(5);
    const made = materialised().filter((m) => m.dataset === id).length;
    await post(`/api/datasets/${id}/undo`);
    expect((await rows(id)).total).toBe(7);
    expect(materialised().filter((m) => m.dataset === id).length).toBe(made);
  });

  it('drops every state table with the dataset', async () => {
    const id = (await upload(h, auth, 'ordered.csv', ORDERED)).json().id as string;
    await post(`/api/datasets/${id}/steps`, { step: { op: 'trim' } });
    await rows(id);
    const table = (await h.t.store.get(id, 'local', 'test'))!.data.table;
    expect((await stateTables()).some((t) => t.startsWith(`${table}_state_`))).toBe(true);
    expect(
      (await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${id}`, headers: auth })).statusCode,
    ).toBe(204);
    expect((await stateTables()).filter((t) => t.startsWith(`${table}_state_`))).toEqual([]);
  });

  it('refuses a step that fails on the data (422 naming it as the user counts steps), and nothing changes', async () => {
    const id = (await upload(h, auth, 'grow.csv', 'a\ny\n')).json().id as string;
    const Y = 'Y'.repeat(300);
    const grow = { op: 'replace', columns: ['a'], find: 'Y', replace: Y };
    const steps = [{ op: 'trim' }, { op: 'replace', columns: ['a'], find: 'y', replace: Y }, grow];
    for (const step of steps)
      expect((await post(`/api/datasets/${id}/steps`, { step })).statusCode).toBe(200);
    expect((await rows(id)).rows[0]![0]).toHaveLength(90_000);
    expect(
      materialised()
        .filter((m) => m.dataset === id)
        .at(-1)?.steps,
    ).toBe(3);
    const history = async () => (await get(`/api/datasets/${id}`)).json().history as unknown;
    const before = await history();
    // 27 MB: past the 16 MiB a cell may hold. Steps 1–3 are a table now; the 4th is checked on it.
    const refused = await post(`/api/datasets/${id}/steps`, { step: grow });
    expect(refused.statusCode).toBe(422);
    const error = {
      code: 'EXECUTION',
      message: expect.stringContaining('step 4 (replace), column "a": a value would grow past 16 MiB'),
      step: { index: 4, op: 'replace' },
      column: 'a',
    };
    expect(refused.json().error).toMatchObject(error);
    expect(await history()).toEqual(before);
    expect((await rows(id)).rows[0]![0]).toHaveLength(90_000);
    // A whole recipe with such a step is refused the same way.
    const replaced = await h.t.app.inject({
      method: 'PUT',
      url: `/api/datasets/${id}/recipe`,
      headers: auth,
      payload: { recipe: { version: 1, steps: [...steps, grow] } },
    });
    expect(replaced.statusCode, replaced.body).toBe(422);
    expect(replaced.json().error).toMatchObject(error);
    expect(await history()).toEqual(before);
  });

  it('numbers a failing step as the user counts steps when it runs on a held state', async () => {
    const id = (await upload(h, auth, 'grow2.csv', 'a\ny\n')).json().id as string;
    const Y = 'Y'.repeat(300);
    const steps = [
      { op: 'trim' },
      { op: 'replace', columns: ['a'], find: 'y', replace: Y },
      { op: 'replace', columns: ['a'], find: 'Y', replace: Y },
    ];
    for (const step of steps) await post(`/api/datasets/${id}/steps`, { step });
    await rows(id);
    // A read of the recipe one step further (as a view filter or a preview would run it), on the
    // state of the first three.
    const e = (await h.t.store.get(id, 'local', 'test'))!;
    const further = { version: 1 as const, steps: [...steps, steps[2]!] } as Recipe;
    await expect(
      e.states.read(further, (v) => h.engine.run(v.data, v.recipe, { limit: 1 })),
    ).rejects.toMatchObject({ code: 'EXECUTION', location: { step: { index: 4, op: 'replace' } } });
  });

  it('keeps no state the memory budget has no room for, and still answers from the recipe', async () => {
    const small = await harness({ maxResidentBytes: 1_000_000 });
    try {
      const headers = (await small.login()).headers;
      // ~560 kB as a table: the source fits, a copy of it as a recipe state does not.
      const up = await upload(small, headers, 'n.csv', 'a\n' + '123456789\n'.repeat(20_000));
      const id = up.json().id as string;
      const step = { op: 'change-case', columns: ['a'], case: 'upper' };
      const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
        small.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      expect((await call('POST', `/api/datasets/${id}/steps`, { step })).statusCode).toBe(200);
      const page = await call('GET', `/api/datasets/${id}/rows?offset=19999&limit=5`);
      expect(page.json()).toMatchObject({ total: 20_000, rows: [['123456789']] });
      const loc = (await call('GET', `/api/datasets/${id}/location`)).json();
      expect(loc.recipeStates).toEqual([]);
      expect(loc.approxBytes).toBeLessThanOrEqual(1_000_000);
    } finally {
      await small.close();
    }
  });

  it('answers rows without waiting for their count when asked (total=later), and the count with limit=0', async () => {
    // No recipe states: a dedupe's rows come from the first rows, its total from a count.
    const noStates = await harness({ cacheRecipeStates: false });
    try {
      const headers = (await noStates.login()).headers;
      const values = Array.from({ length: 20_000 }, (_, i) => `v${i % 5000}`);
      const id = (await upload(noStates, headers, 'dups.csv', 'a\n' + values.join('\n') + '\n')).json()
        .id as string;
      const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
        noStates.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      expect(
        (await call('POST', `/api/datasets/${id}/steps`, { step: { op: 'dedupe-rows' } })).statusCode,
      ).toBe(200);
      const later = await call('GET', `/api/datasets/${id}/rows?offset=0&limit=3&total=later`);
      expect(later.json()).toMatchObject({ total: null, rows: [['v0'], ['v1'], ['v2']] });
      const total = await call('GET', `/api/datasets/${id}/rows?offset=0&limit=0`);
      expect(total.json()).toEqual({
        offset: 0,
        limit: 0,
        total: 5000,
        columns: [{ name: 'a', type: 'text' }],
        rows: [],
      });
      // Without total=later the page waits for its count, as before.
      expect((await call('GET', `/api/datasets/${id}/rows?offset=0&limit=3`)).json()).toMatchObject({
        total: 5000,
      });
      // The count of a view filter, and one known without counting (no steps) is always given.
      const where = encodeURIComponent(
        JSON.stringify({ column: 'a', op: 'in', value: ['v1', 'v2', 'nope'] }),
      );
      expect((await call('GET', `/api/datasets/${id}/rows?limit=0&where=${where}`)).json().total).toBe(2);
      expect((await call('POST', `/api/datasets/${id}/undo`)).statusCode).toBe(200);
      expect((await call('GET', `/api/datasets/${id}/rows?limit=2&total=later`)).json().total).toBe(20_000);
      expect((await call('GET', `/api/datasets/${id}/rows?limit=2&total=soon`)).statusCode).toBe(400);
    } finally {
      await noStates.close();
    }
  });

  it('gives a made state’s total with total=later, and limit=0 waits for the state being made', async () => {
    const id = (await upload(h, auth, 'ordered.csv', ORDERED)).json().id as string;
    await post(`/api/datasets/${id}/steps`, { step: { op: 'dedupe-rows' } });
    expect((await rows(id, 'limit=0')).total).toBe(5);
    expect(
      materialised()
        .filter((m) => m.dataset === id)
        .map((m) => m.steps),
    ).toEqual([1]);
    expect((await rows(id, 'limit=2&total=later')).total).toBe(5);
  });
});
