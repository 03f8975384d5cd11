import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../listen.js';
import { harness, upload, type Harness } from '../test-support.js';
import { MAX_WHERE_CHARS, MAX_WHERE_DEPTH } from './view-filter.js';

const CSV = [
  'name,city,amount',
  'Alice,paris,10',
  'bob,Paris,20',
  'Carol,PARIS,30',
  'dave,london,40',
  'eve,paris,-5',
].join('\n');

const q = (where: unknown) => encodeURIComponent(typeof where === 'string' ? where : JSON.stringify(where));

describe.each([
  { states: 'materialised recipe states', cacheRecipeStates: true },
  { states: 'no materialised states', cacheRecipeStates: false },
])('view filter (where) on rows and facets, $states', ({ cacheRecipeStates }) => {
  let h: Harness;
  let auth: Record<string, string>;
  let id: string;
  beforeAll(async () => {
    h = await harness({ cacheRecipeStates });
    auth = (await h.login()).headers;
    const res = await upload(h, auth, 'people.csv', CSV);
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
    const step = await post(`/api/datasets/${id}/steps`, {
      step: { op: 'change-case', columns: ['city'], case: 'lower' },
    });
    expect(step.statusCode, step.body).toBe(200);
  });
  afterAll(() => h.close());

  const get = (url: string) => h.t.app.inject({ method: 'GET', url, headers: auth });
  const post = (url: string, payload: object) =>
    h.t.app.inject({ method: 'POST', url, headers: auth, payload });
  const paris = { column: 'city', op: 'eq', value: 'paris' };

  it('pages the rows matching the filter after the recipe, with the filtered total', async () => {
    const res = await get(`/api/datasets/${id}/rows?where=${q(paris)}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      offset: 0,
      limit: 100,
      total: 4,
      rows: [
        ['Alice', 'paris', '10'],
        ['bob', 'paris', '20'],
        ['Carol', 'paris', '30'],
        ['eve', 'paris', '-5'],
      ],
    });
    const page = await get(`/api/datasets/${id}/rows?where=${q(paris)}&offset=1&limit=2`);
    expect(page.json()).toMatchObject({
      offset: 1,
      limit: 2,
      total: 4,
      rows: [
        ['bob', 'paris', '20'],
        ['Carol', 'paris', '30'],
      ],
    });
    const removed = await get(`/api/datasets/${id}/rows?where=${q({ not: paris })}`);
    expect(removed.json()).toMatchObject({ total: 1, rows: [['dave', 'london', '40']] });
  });

  it('filters the first `step` steps when asked, and counts each state apart', async () => {
    const before = await get(`/api/datasets/${id}/rows?step=0&where=${q(paris)}`);
    expect(before.json()).toMatchObject({
      total: 2,
      rows: [
        ['Alice', 'paris', '10'],
        ['eve', 'paris', '-5'],
      ],
    });
    expect((await get(`/api/datasets/${id}/rows?step=1&where=${q(paris)}&limit=0`)).json().total).toBe(4);
  });

  it('never records the filter', async () => {
    await get(`/api/datasets/${id}/rows?where=${q(paris)}`);
    const detail = (await get(`/api/datasets/${id}`)).json();
    expect(detail.history).toMatchObject({ cursor: 1, steps: 1 });
    expect((await get(`/api/datasets/${id}/recipe`)).json().steps).toEqual([
      { op: 'change-case', columns: ['city'], case: 'lower' },
    ]);
    const all = (await get(`/api/datasets/${id}/rows`)).json();
    expect(all.total).toBe(5);
  });

  it('counts facet values under the recipe and the filter, each filter apart', async () => {
    const plain = await get(`/api/datasets/${id}/facet?column=city`);
    expect(plain.json().values).toEqual([
      { value: 'paris', count: 4 },
      { value: 'london', count: 1 },
    ]);
    const some = { column: 'name', op: 'in', value: ['Alice', 'bob', 'dave'] };
    const f1 = await get(`/api/datasets/${id}/facet?column=city&where=${q(some)}`);
    expect(f1.statusCode, f1.body).toBe(200);
    expect(f1.json()).toEqual({
      column: 'city',
      values: [
        { value: 'paris', count: 2 },
        { value: 'london', count: 1 },
      ],
      truncated: false,
    });
    const f2 = await get(
      `/api/datasets/${id}/facet?column=city&where=${q({ column: 'amount', op: 'eq', value: '40' })}`,
    );
    expect(f2.json().values).toEqual([{ value: 'london', count: 1 }]);
    // Asked again: the same answers (from the memo), not each other's.
    expect((await get(`/api/datasets/${id}/facet?column=city&where=${q(some)}`)).json()).toEqual(f1.json());
    expect((await get(`/api/datasets/${id}/facet?column=city`)).json()).toEqual(plain.json());
  });

  it('answers 400 with core’s message for bad JSON or a bad condition, naming where', async () => {
    for (const path of ['rows', 'facet']) {
      const base = `/api/datasets/${id}/${path}?column=city&where=`;
      const notJson = await get(base + q('{"column":'));
      expect(notJson.statusCode, path).toBe(400);
      expect(notJson.json().error).toMatchObject({ code: 'RECIPE_INVALID', field: 'where' });
      expect(notJson.json().error.message).toMatch(/^where is not valid JSON: /);
      const badOp = await get(base + q({ column: 'city', op: 'like', value: 'p' }));
      expect(badOp.statusCode, path).toBe(400);
      expect(badOp.json().error).toMatchObject({ code: 'RECIPE_INVALID', field: 'where' });
      expect(badOp.json().error.message).toMatch(/^where(\.\w+)* \(the view's filter, not a step\): /);
      const extra = await get(base + q({ ...paris, keep: false }));
      expect(extra.statusCode, path).toBe(400);
      const long = await get(base + 'x'.repeat(MAX_WHERE_CHARS + 1));
      expect(long.statusCode, path).toBe(400);
      expect(long.json().error).toMatchObject({ code: 'BAD_REQUEST', field: 'where' });
      const deep = '{"not":'.repeat(MAX_WHERE_DEPTH) + JSON.stringify(paris) + '}'.repeat(MAX_WHERE_DEPTH);
      const tooDeep = await get(base + q(deep));
      expect(tooDeep.statusCode, path).toBe(400);
      expect(tooDeep.json().error.message).toMatch(/nested more than 64 levels/);
      const deepest =
        '{"not":'.repeat(MAX_WHERE_DEPTH - 1) + JSON.stringify(paris) + '}'.repeat(MAX_WHERE_DEPTH - 1);
      expect((await get(base + q(deepest))).statusCode, path).toBe(200);
    }
  });

  it('answers an unknown or wrongly typed column with the 422 the same step would get, worded as the filter', async () => {
    for (const where of [
      { column: 'nope', op: 'is-null' },
      { and: [paris, { column: 'Name', op: 'eq', value: 'x' }] },
      { column: 'city', op: 'contains', value: 3 },
      { column: 'city', op: 'matches', value: '(' },
    ]) {
      const asStep = await post(`/api/datasets/${id}/steps`, { step: { op: 'filter-rows', where } });
      expect(asStep.statusCode, JSON.stringify(where)).toBe(422);
      for (const path of ['rows', 'facet']) {
        const res = await get(`/api/datasets/${id}/${path}?column=city&where=${q(where)}`);
        expect(res.statusCode, path).toBe(422);
        const { step, ...error } = asStep.json().error as { step: unknown; message: string };
        expect(step).toBeDefined();
        expect(res.json().error, path).toEqual({
          ...error,
          field: 'where',
          message: error.message.replace(
            /^step 2 \(filter-rows\):/,
            "where (the view's filter, not a step):",
          ),
        });
        expect(res.json().error.message).toMatch(/^where \(the view's filter, not a step\): /);
      }
    }
    expect((await get(`/api/datasets/${id}`)).json().history).toMatchObject({ cursor: 1, steps: 1 });
  });
});

describe('a large view filter over a real socket', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('is accepted up to its length limit, percent-encoded', async () => {
    const auth = (await h.login()).headers;
    const id = (await upload(h, auth, 'p.csv', CSV)).json().id;
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    // A facet selection of thousands of values: ~100 KB of JSON, ~150 KB once encoded.
    const value = ['Alice', 'eve'];
    for (let i = 0; JSON.stringify(value).length < MAX_WHERE_CHARS - 100; i++) value.push(`n${i}`);
    const where = JSON.stringify({ column: 'name', op: 'in', value });
    expect(where.length).toBeLessThanOrEqual(MAX_WHERE_CHARS);
    const path = `/api/datasets/${id}/rows?where=${encodeURIComponent(where)}`;
    expect(path.length).toBeGreaterThan(128 * 1024);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        path,
        headers: { ...auth, host: `localhost:${port}` },
      });
      req.on('response', (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({
      total: 2,
      rows: [
        ['Alice', 'paris', '10'],
        ['eve', 'paris', '-5'],
      ],
    });
  });

  it('is documented on both routes', async () => {
    const doc = (await h.t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const p of ['/api/datasets/{id}/rows', '/api/datasets/{id}/facet']) {
      const params = doc.paths[p].get.parameters as { name: string; description?: string }[];
      expect(params.find((x) => x.name === 'where')?.description, p).toMatch(/filter-rows/);
    }
  });
});
