import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyHistory } from '@tidyvault/core';
import { harness, upload, type Harness } from '../test-support.js';
import { locationView } from './schemas.js';

const CSV = [
  'name,city,amount',
  '  Alice ,paris,10',
  'bob,Paris,20',
  'Carol,PARIS,30',
  'dave,london,=HYPERLINK("http://x.invalid")',
  'eve,paris,-5',
].join('\n');

describe('dataset routes', () => {
  let h: Harness;
  let auth: Record<string, string>;
  let id: string;
  beforeAll(async () => {
    h = await harness();
    auth = (await h.login()).headers;
    const res = await upload(h, auth, 'people.csv', CSV);
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
  });
  afterAll(() => h.close());

  const get = (url: string) => h.t.app.inject({ method: 'GET', url, headers: auth });
  const put = (rid: string, recipe: unknown) =>
    h.t.app.inject({ method: 'PUT', url: `/api/datasets/${rid}/recipe`, headers: auth, payload: { recipe } });
  const post = (url: string, payload?: object) =>
    h.t.app.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });

  it('uploads into memory and leaves no staging file', async () => {
    const res = await upload(h, auth, 'other.csv', 'a,b\n1,2\n');
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name: 'other.csv',
      rows: 1,
      columns: [
        { name: 'a', type: 'text' },
        { name: 'b', type: 'text' },
      ],
    });
    expect(body.id).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    expect(h.stagingFiles()).toEqual([]);
    const list = await get('/api/datasets');
    expect(list.json().datasets.map((d: { id: string }) => d.id)).toEqual(
      expect.arrayContaining([id, body.id]),
    );
  });

  it('pages rows under the recipe', async () => {
    const res = await get(`/api/datasets/${id}/rows?offset=1&limit=2`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      offset: 1,
      limit: 2,
      total: 5,
      columns: [
        { name: 'name', type: 'text' },
        { name: 'city', type: 'text' },
        { name: 'amount', type: 'text' },
      ],
      rows: [
        ['bob', 'Paris', '20'],
        ['Carol', 'PARIS', '30'],
      ],
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await get(`/api/datasets/${id}/rows?limit=-1`)).statusCode).toBe(400);
  });

  it('applies steps, rejects a bad one with 422 naming step and column, and undoes/redoes', async () => {
    const ok = await post(`/api/datasets/${id}/steps`, {
      step: { op: 'change-case', columns: ['city'], case: 'lower' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ cursor: 1, steps: 1, canUndo: true, canRedo: false });

    const bad = await post(`/api/datasets/${id}/steps`, { step: { op: 'trim', columns: ['nope'] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({
      code: 'RECIPE_COLUMN',
      step: { index: 2, op: 'trim' },
      column: 'nope',
    });
    expect((await get(`/api/datasets/${id}/recipe`)).json().steps).toHaveLength(1);

    const malformed = await post(`/api/datasets/${id}/steps`, { step: { op: 'no-such-op' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('RECIPE_INVALID');
    // Numbered where it would go (after the one step held), with the step and field in the body.
    const misshapen = await post(`/api/datasets/${id}/steps`, { step: { op: 'trim', columns: 'city' } });
    expect(misshapen.statusCode).toBe(400);
    expect(misshapen.json().error).toMatchObject({
      code: 'RECIPE_INVALID',
      step: { index: 2, op: 'trim' },
      field: 'columns',
    });
    expect(misshapen.json().error.message).toMatch(/^invalid step: step 2 \(trim\) field "columns"/);

    const facet = await get(`/api/datasets/${id}/facet?column=city`);
    expect(facet.json()).toEqual({
      column: 'city',
      values: [
        { value: 'paris', count: 4 },
        { value: 'london', count: 1 },
      ],
      truncated: false,
    });
    const capped = await get(`/api/datasets/${id}/facet?column=city&limit=1`);
    expect(capped.json()).toMatchObject({ values: [{ value: 'paris', count: 4 }], truncated: true });
    const before = await get(`/api/datasets/${id}/rows?step=0&limit=1`);
    expect(before.json().rows).toEqual([['  Alice ', 'paris', '10']]);
    const past = await get(`/api/datasets/${id}/rows?step=99`);
    expect(past.statusCode).toBe(400);
    expect(past.json().error).toMatchObject({ code: 'BAD_REQUEST', field: 'step' });

    expect((await post(`/api/datasets/${id}/undo`)).json()).toMatchObject({ cursor: 0, canRedo: true });
    expect((await get(`/api/datasets/${id}/facet?column=city`)).json().values[0]).toEqual({
      value: 'paris',
      count: 2,
    });
    expect((await post(`/api/datasets/${id}/redo`)).json()).toMatchObject({ cursor: 1, canRedo: false });
    const detail = await get(`/api/datasets/${id}`);
    expect(detail.json()).toMatchObject({
      id,
      name: 'people.csv',
      rows: 5,
      history: { cursor: 1, steps: 1 },
    });
  });

  it('applies steps sent at the same time one after the other, losing none', async () => {
    const res = await upload(h, auth, 'race.csv', 'a,b\n x , y \n');
    const rid = res.json().id as string;
    const steps = [
      { op: 'trim', columns: ['a'] },
      { op: 'trim', columns: ['b'] },
      { op: 'change-case', columns: ['a'], case: 'upper' },
      { op: 'change-case', columns: ['b'], case: 'upper' },
    ];
    const results = await Promise.all(steps.map((step) => post(`/api/datasets/${rid}/steps`, { step })));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect((await get(`/api/datasets/${rid}/recipe`)).json().steps).toHaveLength(4);
    expect((await get(`/api/datasets/${rid}/rows`)).json()).toMatchObject({ total: 1, rows: [['X', 'Y']] });
    const filtered = await put(rid, {
      version: 1,
      steps: [{ op: 'filter-rows', where: { column: 'a', op: 'is-null' } }],
    });
    expect(filtered.statusCode, filtered.body).toBe(200);
    expect((await get(`/api/datasets/${rid}/rows`)).json()).toMatchObject({ total: 0, rows: [] });
    expect((await get(`/api/datasets/${rid}/rows?step=0`)).json()).toMatchObject({ total: 1 });
  });

  it('refuses prototype-poisoning JSON bodies with 400', async () => {
    const res = await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${id}/steps`,
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"step": {"op": "trim", "__proto__": {"polluted": 1}}}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BAD_REQUEST');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('replaces the recipe with PUT and refuses one that does not fit the data', async () => {
    const put = (recipe: unknown) =>
      h.t.app.inject({
        method: 'PUT',
        url: `/api/datasets/${id}/recipe`,
        headers: auth,
        payload: { recipe },
      });
    const bad = await put({ version: 1, steps: [{ op: 'trim' }, { op: 'to-number', columns: ['missing'] }] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ step: { index: 2, op: 'to-number' }, column: 'missing' });
    expect((await get(`/api/datasets/${id}/recipe`)).json().steps).toHaveLength(1);
    const good = await put({ version: 1, steps: [{ op: 'trim' }] });
    expect(good.statusCode).toBe(200);
    expect((await get(`/api/datasets/${id}/recipe`)).json()).toEqual({ version: 1, steps: [{ op: 'trim' }] });
    expect((await put({ version: 2 })).statusCode).toBe(400);
  });

  it('names the field (and a condition’s column) of a pattern DuckDB refuses, with the dataset unchanged', async () => {
    const before = (await get(`/api/datasets/${id}/recipe`)).json();
    const find = await post(`/api/datasets/${id}/steps`, {
      step: { op: 'replace', columns: ['name'], find: '(', replace: 'x', regex: true },
    });
    expect(find.statusCode).toBe(422);
    expect(find.json().error).toMatchObject({
      code: 'RECIPE_PARAM',
      step: { index: before.steps.length + 1, op: 'replace' },
      field: 'find',
    });
    const where = await post(`/api/datasets/${id}/steps`, {
      step: { op: 'trim', columns: ['name'], where: { column: 'city', op: 'matches', value: '[' } },
    });
    expect(where.json().error).toMatchObject({ field: 'where', column: 'city' });
    expect(where.json().error.message).toMatch(/where \(city\) "\[" is not a valid RE2 regular expression/);
    expect((await get(`/api/datasets/${id}/recipe`)).json()).toEqual(before);
  });

  it('refuses a clustering parameter the method does not use, as clustering and as a step', async () => {
    const asCluster = await post(`/api/datasets/${id}/cluster`, {
      column: 'city',
      method: 'fingerprint',
      params: { ngramSize: 3 },
    });
    expect(asCluster.statusCode).toBe(400);
    expect(asCluster.json().error).toMatchObject({ code: 'BAD_REQUEST', field: 'params.ngramSize' });
    const asStep = await post(`/api/datasets/${id}/steps`, {
      step: { op: 'cluster-merge', column: 'city', method: 'fingerprint', params: { radius: 2 } },
    });
    expect(asStep.statusCode).toBe(422);
    expect(asStep.json().error).toMatchObject({ code: 'RECIPE_PARAM', field: 'params.radius' });
    expect(asStep.json().error.message).toMatch(
      /params\.radius applies to method levenshtein or ppm only, not fingerprint/,
    );
    const used = await post(`/api/datasets/${id}/cluster`, {
      column: 'city',
      method: 'ngram-fingerprint',
      params: { ngramSize: 3 },
    });
    expect(used.statusCode).toBe(200);
  });

  it('undoes a replaced recipe: the one before comes back whole, and redo replaces it again', async () => {
    const before = (await get(`/api/datasets/${id}/recipe`)).json();
    const replaced = { version: 1, steps: [{ op: 'change-case', columns: ['name'], case: 'upper' }] };
    expect((await put(id, replaced)).statusCode).toBe(200);
    const undone = await post(`/api/datasets/${id}/undo`);
    expect(undone.json()).toMatchObject({ recipe: before, canRedo: true });
    const redone = await post(`/api/datasets/${id}/redo`);
    expect(redone.json()).toMatchObject({ recipe: replaced, canUndo: true });
    expect((await post(`/api/datasets/${id}/undo`)).json().recipe).toEqual(before);
  });

  it('profiles and clusters under the recipe', async () => {
    const profile = await get(`/api/datasets/${id}/profile`);
    expect(profile.statusCode).toBe(200);
    expect(profile.json()).toMatchObject({ rows: 5 });
    expect(profile.json().columns.map((c: { name: string }) => c.name)).toEqual(['name', 'city', 'amount']);
    // The engine's profile as is, suggestion counts included ("  Alice " is trimmed by the recipe).
    expect(profile.json().columns[0]).toMatchObject({ padded: 0, mixedCase: 2, typeShare: null });
    expect(profile.json().columns[1]).toMatchObject({ padded: 0, mixedCase: 2, inferredType: 'text' });
    const cluster = await post(`/api/datasets/${id}/cluster`, { column: 'city', method: 'fingerprint' });
    expect(cluster.statusCode, cluster.body).toBe(200);
    expect(
      cluster
        .json()
        .clusters[0].values.map((v: { value: string }) => v.value)
        .sort(),
    ).toEqual(['PARIS', 'Paris', 'paris']);
    const unknown = await post(`/api/datasets/${id}/cluster`, { column: 'nope', method: 'fingerprint' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.column).toBe('nope');
    expect((await post(`/api/datasets/${id}/cluster`, { column: 'city', method: 'magic' })).statusCode).toBe(
      400,
    );
  });

  it('refuses a method not built yet with one code, as clustering and as a step, naming the method', async () => {
    const before = (await get(`/api/datasets/${id}/recipe`)).json();
    const asCluster = await post(`/api/datasets/${id}/cluster`, { column: 'city', method: 'metaphone3' });
    const asStep = await post(`/api/datasets/${id}/steps`, {
      step: { op: 'cluster-merge', column: 'city', method: 'metaphone3' },
    });
    for (const res of [asCluster, asStep]) {
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.code).toBe('RECIPE_UNSUPPORTED');
    }
    expect(asStep.json().error).toMatchObject({ field: 'method', step: { op: 'cluster-merge' } });
    // One message: it names what can be used instead, the nearest-neighbour methods included.
    expect(asStep.json().error.message).toContain(asCluster.json().error.message);
    expect(asStep.json().error.message).toMatch(
      /\(available: fingerprint, ngram-fingerprint, .*levenshtein, ppm\)/,
    );
    expect((await get(`/api/datasets/${id}/recipe`)).json()).toEqual(before);
  });

  it('exports with the formula guard, streamed from a staging file that is gone afterwards', async () => {
    const res = await get(`/api/datasets/${id}/export?format=csv`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="people-clean.csv"; filename*=UTF-8''people-clean.csv`,
    );
    expect(res.body).toContain(`"'=HYPERLINK(""http://x.invalid"")"`);
    expect(res.body).toContain('"Alice","paris","10"');
    // Every text value quoted: a spreadsheet splitting on ";" keeps each one cell.
    // A plain number kept as text ("-5") is no formula: left as it is.
    expect(res.body.split('\n')[5]).toBe(`"eve","paris","-5"`);
    expect(h.stagingFiles()).toEqual([]);
    const raw = await get(`/api/datasets/${id}/export?format=csv&formulaGuard=false`);
    expect(raw.body).toContain(`"=HYPERLINK(""http://x.invalid"")"`);
    expect(raw.body).toContain('Alice,paris,10');
    const json = await get(`/api/datasets/${id}/export?format=json`);
    expect(JSON.parse(json.body)).toHaveLength(5);
    expect((await get(`/api/datasets/${id}/export?format=exe`)).statusCode).toBe(400);
    expect(h.stagingFiles()).toEqual([]);
  });

  it('refuses an xlsx export over Excel’s cell limit with 422, naming the row and column, leaving nothing', async () => {
    const big = await upload(h, auth, 'long.csv', `a,b\nx,${'y'.repeat(40_000)}\n`);
    const res = await get(`/api/datasets/${big.json().id}/export?format=xlsx`);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'EXPORT' });
    expect(res.json().error.message).toMatch(/^row 1, column "b": 40000 characters, more than the 32767/);
    expect(h.stagingFiles()).toEqual([]);
  });

  it('counts long text cells in the dataset’s size (DuckDB keeps them in blocks of their own)', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${String(i % 10).repeat(250_000)}`);
    const long = await upload(h, auth, 'long-cells.csv', `id,text\n${rows.join('\n')}\n`);
    expect(long.statusCode).toBe(201);
    const loc = (await get(`/api/datasets/${long.json().id}/location`)).json();
    expect(loc.bytes.source).toBeGreaterThanOrEqual(40 * 250_000);
  });

  it('tells where the data is', async () => {
    const res = await get(`/api/datasets/${id}/location`);
    expect(res.statusCode).toBe(200);
    const loc = res.json();
    expect(loc).toMatchObject({
      id,
      where: 'memory',
      process: process.pid,
      onDisk: [],
      spill: 'off',
      owner: 'local',
    });
    // The engine's own count of the tables' bytes: the source, plus the recipe's materialised result.
    expect(loc.bytes.uploadedFile).toBe(Buffer.byteLength(CSV));
    expect(loc.bytes.source).toBeGreaterThan(0);
    expect(loc.approxBytes).toBe(loc.bytes.source + loc.bytes.recipeStates);
    expect(loc.approxBytesNote).toMatch(/duckdb_memory\(\), tags IN_MEMORY_TABLE and OVERFLOW_STRINGS/);
    expect(loc.onDiskNote).toMatch(/spilling is off/);
    expect(loc.recentAccesses.map((a: { op: string }) => a.op)).toEqual(
      expect.arrayContaining(['export', 'location']),
    );
    // Every key the published schema names is there (a key it does not name is a 500: it is strict).
    expect(Object.keys(loc).sort()).toEqual(
      Object.keys(locationView.shape)
        .filter((k) => k !== 'spillDirectory')
        .sort(),
    );
  });

  it('gives the same 404 for unknown, malformed and foreign ids', async () => {
    const foreign = h.t.store.add(
      'someone-else',
      'theirs.csv',
      (await h.t.store.get(id, 'local', 'test'))!.data,
      emptyHistory(),
      1,
    );
    const bodies = new Set<string>();
    for (const other of ['0123456789abcdef0123456789abcdef', 'not-an-id', foreign.id]) {
      for (const url of [
        `/api/datasets/${other}`,
        `/api/datasets/${other}/rows`,
        `/api/datasets/${other}/export`,
      ]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(404);
        bodies.add(res.body);
      }
      const del = await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${other}`, headers: auth });
      expect(del.statusCode).toBe(404);
      bodies.add(del.body);
    }
    expect(bodies.size).toBe(1);
  });

  it('purges on DELETE', async () => {
    const res = await upload(h, auth, 'gone.csv', 'x\n1\n');
    const gone = res.json().id;
    const table = (await h.t.store.get(gone, 'local', 'test'))!.data.table;
    const del = await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${gone}`, headers: auth });
    expect(del.statusCode).toBe(204);
    expect((await get(`/api/datasets/${gone}`)).statusCode).toBe(404);
    const tables = await h.engine.connection.runAndReadAll('SELECT table_name FROM duckdb_tables()');
    const names = tables.getRowsJson().map((r) => r[0]);
    expect(names).not.toContain(table);
    expect(names.length).toBeGreaterThan(0);
  });
});
