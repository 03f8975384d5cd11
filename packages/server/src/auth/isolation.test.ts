import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../test-support.js';
import { localHarness, type LocalHarness, type SignedIn } from './test-local.js';

/**
 * With several local accounts, a dataset is its owner's alone: for every dataset route the
 * server registers, another user — a member or an administrator — gets exactly the 404 of an
 * id that does not exist, and nothing of the dataset changes or records their access.
 */

const CSV = ['name,city,amount', 'Alice,paris,10', 'alice ,Paris,20', 'Bob,london,30'].join('\n');
const UNKNOWN = '0123456789abcdef0123456789abcdef';

/** A request each dataset route accepts from the owner (so a 404 can only mean "not yours"). */
const SAMPLES: Record<string, { query?: string; payload?: object }> = {
  'GET /api/datasets/:id': {},
  'GET /api/datasets/:id/rows': { query: 'offset=0&limit=10' },
  'GET /api/datasets/:id/profile': {},
  'GET /api/datasets/:id/facet': { query: 'column=city' },
  'GET /api/datasets/:id/histogram': { query: 'column=amount' },
  'POST /api/datasets/:id/cluster': { payload: { column: 'name', method: 'fingerprint' } },
  'POST /api/datasets/:id/duplicates': { payload: { columns: ['name'] } },
  'POST /api/datasets/:id/steps': { payload: { step: { op: 'trim', columns: ['name'] } } },
  'POST /api/datasets/:id/undo': {},
  'POST /api/datasets/:id/redo': {},
  'PUT /api/datasets/:id/recipe': {
    payload: { recipe: { version: 1, steps: [{ op: 'to-number', columns: ['amount'] }] } },
  },
  'GET /api/datasets/:id/recipe': {},
  'GET /api/datasets/:id/export': { query: 'format=csv' },
  'POST /api/datasets/:id/exports': { payload: { format: 'csv' } },
  // The ticket of an export prepared just before (see `ticketFor`).
  'GET /api/datasets/:id/exports/:ticket': {},
  'GET /api/datasets/:id/location': {},
  'GET /api/datasets/:id/shares': {},
  'POST /api/datasets/:id/shares': { payload: { user: 'carol', role: 'viewer' } },
  'DELETE /api/datasets/:id/shares/:user': {},
  'DELETE /api/datasets/:id': {},
  // No connection in this harness: the owner gets past the dataset's check to CONNECTION_NOT_FOUND.
  'POST /api/datasets/:id/export/postgres': { payload: { connection: 'pg.none', table: 'public.t' } },
};

describe('two users: one user’s datasets are 404 to another, on every dataset route', () => {
  let h: LocalHarness;
  let alice: SignedIn;
  let others: { who: string; s: SignedIn }[];
  let id: string;

  beforeAll(async () => {
    h = await localHarness([
      { name: 'alice', password: 'alice password' },
      { name: 'bob', password: 'bob password' },
      { name: 'root', password: 'root password', role: 'admin' },
      { name: 'carol', password: 'carol password' },
    ]);
    alice = await h.signIn('alice', 'alice password');
    others = [
      { who: 'bob (member)', s: await h.signIn('bob', 'bob password') },
      { who: 'root (administrator)', s: await h.signIn('root', 'root password') },
    ];
    const res = await upload(h, alice.headers, 'alice.csv', CSV);
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
    // amount as numbers, so the histogram route has a number column.
    const recipe = await h.t.app.inject({
      method: 'PUT',
      url: `/api/datasets/${id}/recipe`,
      headers: alice.headers,
      payload: SAMPLES['PUT /api/datasets/:id/recipe']!.payload!,
    });
    expect(recipe.statusCode, recipe.body).toBe(200);
  });
  afterAll(() => h.close());

  /**
   * A live export ticket: prepared by `s` if they can, else by the owner (another user then holds
   * a real ticket of hers, which must not work for them either).
   */
  const ticketFor = async (datasetId: string, s: SignedIn) => {
    for (const who of [s, alice]) {
      const res = await h.t.app.inject({
        method: 'POST',
        url: `/api/datasets/${datasetId}/exports`,
        headers: who.headers,
        payload: { format: 'csv' },
      });
      if (res.statusCode === 201) return (res.json().href as string).split('/').pop()!;
    }
    return 'A'.repeat(43);
  };
  const send = async (route: { method: string; url: string }, datasetId: string, s: SignedIn) => {
    const sample = SAMPLES[`${route.method} ${route.url}`]!;
    const ticket = route.url.includes(':ticket') ? await ticketFor(datasetId, s) : '';
    const url =
      route.url.replace(':id', datasetId).replace(':user', 'carol').replace(':ticket', ticket) +
      (sample.query ? `?${sample.query}` : '');
    return h.t.app.inject({
      method: route.method as 'GET',
      url,
      headers: s.headers,
      ...(sample.payload ? { payload: sample.payload } : {}),
    });
  };

  // Breaking the glass is the one route that reaches a dataset without access to it: an
  // administrator's, tested in break-glass.test.ts.
  const datasetRoutes = () =>
    h.t.routes.filter((r) => r.url.includes('/:id') && r.url !== '/api/datasets/:id/break-glass');

  it('has a sample request for every dataset route the server registers', () => {
    const routes = datasetRoutes().map((r) => `${r.method} ${r.url}`);
    expect(routes.length).toBeGreaterThanOrEqual(18);
    const missing = routes.filter((r) => !(r in SAMPLES));
    expect(missing, 'add a request the owner may make to SAMPLES for these routes').toEqual([]);
  });

  it.each([0, 1])('gives user #%i exactly the 404 of an unknown id, and changes nothing', async (i) => {
    const other = others[i]!;
    const before = await h.t.app.inject({ url: `/api/datasets/${id}`, headers: alice.headers });
    for (const route of datasetRoutes()) {
      const key = `${route.method} ${route.url}`;
      const unknown = await send(route, UNKNOWN, other.s);
      const foreign = await send(route, id, other.s);
      expect(unknown.statusCode, `${other.who}: ${key} (unknown id)`).toBe(404);
      expect(foreign.statusCode, `${other.who}: ${key}`).toBe(404);
      expect(foreign.body, `${other.who}: ${key}`).toBe(unknown.body);
      expect(foreign.headers['content-type'], key).toBe(unknown.headers['content-type']);
      expect(foreign.headers['content-length'], key).toBe(unknown.headers['content-length']);
    }
    const list = await h.t.app.inject({ url: '/api/datasets', headers: other.s.headers });
    expect(list.json()).toEqual({ datasets: [] });
    // Still there, unchanged, and the other user never shows up among its accesses.
    const after = await h.t.app.inject({ url: `/api/datasets/${id}`, headers: alice.headers });
    expect(after.statusCode).toBe(200);
    expect(after.json().history).toEqual(before.json().history);
    const where = await h.t.app.inject({ url: `/api/datasets/${id}/location`, headers: alice.headers });
    const users = new Set(where.json().recentAccesses.map((a: { user: string }) => a.user));
    expect([...users]).toEqual(['alice']);
  });

  it('lets the owner make every one of those requests', async () => {
    const routes = datasetRoutes();
    // DELETE last: it ends the dataset.
    routes.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    for (const route of routes) {
      const res = await send(route, id, alice);
      if (route.url.endsWith('/export/postgres'))
        expect(res.json().error?.code, route.url).toBe('CONNECTION_NOT_FOUND');
      else
        expect(res.statusCode, `${route.method} ${route.url}: ${res.body.slice(0, 200)}`).toBeLessThan(300);
    }
    expect((await h.t.app.inject({ url: `/api/datasets/${id}`, headers: alice.headers })).statusCode).toBe(
      404,
    );
  });
});
