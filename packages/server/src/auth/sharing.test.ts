import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { neededRole } from '../security/roles.js';
import type { RouteInfo } from '../security/access.js';
import { fakeClock, harness, upload } from '../test-support.js';
import { localHarness, type LocalHarness, type SignedIn } from './test-local.js';

/**
 * Roles and sharing (issue 7 item 3; SECURITY-CONTROLS 8, 9, 11), over every dataset route the
 * server registers (from its route table, not a hand list): a stranger and an administrator get
 * exactly the 404 of an unknown id; a viewer reads and exports but every change is a 403; an
 * editor changes the recipe but cannot share or delete; a revoked share is a 404 again; shares
 * end with the dataset; a viewer account is refused every route that needs a member.
 */

const CANARY = 'canary7x5eb1f0c2d3e4a5b6';
const CSV = ['name,city,amount,tag', ...[1, 2, 3].map((i) => `Person ${i},paris,${i}0,${CANARY}`)].join('\n');
const UNKNOWN = '0123456789abcdef0123456789abcdef';

/** A request each dataset route accepts from its owner (so a refusal can only mean "not allowed"). */
const SAMPLES: Record<string, { query?: string; payload?: object }> = {
  'GET /api/datasets/:id': {},
  'GET /api/datasets/:id/rows': { query: 'offset=0&limit=10' },
  'GET /api/datasets/:id/profile': {},
  'GET /api/datasets/:id/facet': { query: 'column=tag' },
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
  // No connection in this harness: past the dataset's check, the answer is CONNECTION_NOT_FOUND.
  'POST /api/datasets/:id/export/postgres': { payload: { connection: 'pg.none', table: 'public.t' } },
};
const NEEDS_CONNECTION = new Set(['POST /api/datasets/:id/export/postgres']);
/** The dataset's check let the request through (to its own 2xx, or to the missing connection). */
const passed = (k: string, res: { statusCode: number; json: () => { error?: { code?: string } } }) =>
  NEEDS_CONNECTION.has(k) ? res.json().error?.code === 'CONNECTION_NOT_FOUND' : res.statusCode < 300;

/** Only the owner: sharing, revoking, deleting. */
const MANAGE = new Set([
  'POST /api/datasets/:id/shares',
  'DELETE /api/datasets/:id/shares/:user',
  'DELETE /api/datasets/:id',
]);
/** POSTs that only read (open to viewers). Any other non-GET route changes the dataset. */
const READING_POSTS = new Set([
  'POST /api/datasets/:id/cluster',
  'POST /api/datasets/:id/exports',
  'POST /api/datasets/:id/duplicates',
  'POST /api/datasets/:id/export/postgres',
]);

const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
const kindOf = (r: RouteInfo): 'view' | 'edit' | 'manage' =>
  MANAGE.has(key(r)) ? 'manage' : r.method === 'GET' || READING_POSTS.has(key(r)) ? 'view' : 'edit';

describe('roles and sharing, on every dataset route', () => {
  let h: LocalHarness;
  let alice: SignedIn;
  let bob: SignedIn;
  let vera: SignedIn;
  let root: SignedIn;
  let id: string;

  const inject = (o: { method?: string; url: string; s: SignedIn; payload?: object }) =>
    h.t.app.inject({
      method: (o.method ?? 'GET') as 'GET',
      url: o.url,
      headers: o.s.headers,
      ...(o.payload ? { payload: o.payload } : {}),
    });
  /**
   * A live export ticket: prepared by `s` if they may, else by the owner (someone without access
   * then holds a real ticket of hers, which must not work for them either).
   */
  const ticketFor = async (datasetId: string, s: SignedIn) => {
    for (const who of [s, alice]) {
      const url = `/api/datasets/${datasetId}/exports`;
      const res = await inject({ method: 'POST', url, s: who, payload: { format: 'csv' } });
      if (res.statusCode === 201) return (res.json().href as string).split('/').pop()!;
    }
    return 'A'.repeat(43);
  };
  const send = async (route: { method: string; url: string }, datasetId: string, s: SignedIn) => {
    const sample = SAMPLES[key(route)]!;
    const ticket = route.url.includes(':ticket') ? await ticketFor(datasetId, s) : '';
    const url =
      route.url.replace(':id', datasetId).replace(':user', 'carol').replace(':ticket', ticket) +
      (sample.query ? `?${sample.query}` : '');
    return inject({ method: route.method, url, s, ...(sample.payload ? { payload: sample.payload } : {}) });
  };
  // Breaking the glass is the one route that reaches a dataset without access to it: an
  // administrator's, tested in break-glass.test.ts.
  const datasetRoutes = () =>
    h.t.routes.filter((r) => r.url.includes('/:id') && r.url !== '/api/datasets/:id/break-glass');
  const share = (user: string, role: string, s = alice, datasetId = id) =>
    inject({ method: 'POST', url: `/api/datasets/${datasetId}/shares`, s, payload: { user, role } });
  const revoke = (user: string, s = alice) =>
    inject({ method: 'DELETE', url: `/api/datasets/${id}/shares/${user}`, s });
  const history = async () =>
    (await inject({ url: `/api/datasets/${id}`, s: alice })).json().history as unknown;

  /** Every dataset route, as `s`, on the dataset and on an unknown id: the same 404, byte for byte. */
  async function expectNothingThere(s: SignedIn, who: string) {
    for (const route of datasetRoutes()) {
      const unknown = await send(route, UNKNOWN, s);
      const foreign = await send(route, id, s);
      expect(unknown.statusCode, `${who}: ${key(route)} (unknown id)`).toBe(404);
      expect(foreign.statusCode, `${who}: ${key(route)}`).toBe(404);
      expect(foreign.body, `${who}: ${key(route)}`).toBe(unknown.body);
      expect(foreign.headers['content-length'], key(route)).toBe(unknown.headers['content-length']);
      expect(foreign.body).not.toContain(CANARY);
    }
    const list = await inject({ url: '/api/datasets', s });
    expect(list.json().datasets.map((d: { id: string }) => d.id)).not.toContain(id);
  }

  beforeAll(async () => {
    h = await localHarness([
      { name: 'alice', password: 'alice password' },
      { name: 'bob', password: 'bob password' },
      { name: 'carol', password: 'carol password' },
      { name: 'vera', password: 'vera password', role: 'viewer' },
      { name: 'root', password: 'root password', role: 'admin' },
      { name: 'dora', password: 'dora password' },
    ]);
    h.accounts.disable('dora');
    alice = await h.signIn('alice', 'alice password');
    bob = await h.signIn('bob', 'bob password');
    vera = await h.signIn('vera', 'vera password');
    root = await h.signIn('root', 'root password');
  });
  afterAll(() => h.close());

  const signInCarol = () => h.signIn('carol', 'carol password');

  // Each test starts from a fresh dataset of alice's, with amount as numbers (for the histogram).
  const fresh = async () => {
    const res = await upload(h, alice.headers, 'alice.csv', CSV);
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
    const r = await send({ method: 'PUT', url: '/api/datasets/:id/recipe' }, id, alice);
    expect(r.statusCode, r.body).toBe(200);
  };

  it('has a sample request for every dataset route the server registers', () => {
    const routes = datasetRoutes().map(key);
    expect(routes.length).toBeGreaterThanOrEqual(18);
    expect(routes.filter((r) => !(r in SAMPLES))).toEqual([]);
    // The reading POSTs say so to the role check (minRole viewer); the rest are changes.
    for (const r of datasetRoutes())
      expect(neededRole(r.method, r.minRole), key(r)).toBe(kindOf(r) === 'view' ? 'viewer' : 'member');
  });

  it('a stranger and an administrator get exactly the 404 of an unknown id, and see no canary', async () => {
    await fresh();
    const before = await history();
    await expectNothingThere(bob, 'bob (member, not shared)');
    await expectNothingThere(root, 'root (administrator, not shared)');
    expect(await history()).toEqual(before);
  });

  it('a viewer reads and exports every view route, and every change is a 403', async () => {
    await fresh();
    const granted = await share('bob', 'viewer');
    expect(granted.statusCode, granted.body).toBe(200);
    expect(granted.json()).toEqual({
      owner: 'alice',
      sharing: true,
      shares: [{ user: 'bob', role: 'viewer', since: expect.any(String) }],
    });
    const before = await history();
    for (const route of datasetRoutes()) {
      const res = await send(route, id, bob);
      const k = key(route);
      if (kindOf(route) === 'view') expect(passed(k, res), `${k}: ${res.body.slice(0, 200)}`).toBe(true);
      else {
        expect(res.statusCode, k).toBe(403);
        expect(res.json().error.code, k).toBe('DATASET_FORBIDDEN');
        expect(res.body).not.toContain(CANARY);
      }
    }
    // The data itself: the grid page and the export carry alice's rows.
    const rows = await inject({ url: `/api/datasets/${id}/rows`, s: bob });
    expect(rows.json().rows).toHaveLength(3);
    expect((await inject({ url: `/api/datasets/${id}/export?format=csv`, s: bob })).body).toContain(CANARY);
    expect(await history()).toEqual(before);
    // Listed for bob with its owner and his standing.
    const list = (await inject({ url: '/api/datasets', s: bob })).json().datasets as { id: string }[];
    expect(list.find((d) => d.id === id)).toEqual(
      expect.objectContaining({ owner: 'alice', access: 'viewer' }),
    );
    // Who can reach it, and bob's reads among its accesses.
    const where = (await inject({ url: `/api/datasets/${id}/location`, s: alice })).json();
    expect(where.sharedWith).toEqual([{ user: 'bob', role: 'viewer', since: expect.any(String) }]);
    expect(where.recentAccesses.map((a: { user: string }) => a.user)).toContain('bob');
  });

  it('an editor changes the recipe but cannot share, revoke or delete', async () => {
    await fresh();
    expect((await share('bob', 'editor')).statusCode).toBe(200);
    const routes = datasetRoutes().sort(
      (a, b) => ['view', 'edit', 'manage'].indexOf(kindOf(a)) - ['view', 'edit', 'manage'].indexOf(kindOf(b)),
    );
    for (const route of routes) {
      const res = await send(route, id, bob);
      const k = key(route);
      if (kindOf(route) === 'manage') {
        expect(res.statusCode, k).toBe(403);
        expect(res.json().error.message, k).toMatch(/only its owner, alice/);
      } else expect(passed(k, res), `${k}: ${res.body.slice(0, 200)}`).toBe(true);
    }
    // bob's step is in alice's recipe (after the sample PUT's one step).
    const step = await send({ method: 'POST', url: '/api/datasets/:id/steps' }, id, bob);
    expect(step.statusCode).toBe(200);
    expect(((await history()) as { recipe: { steps: unknown[] } }).recipe.steps).toEqual([
      { op: 'to-number', columns: ['amount'] },
      { op: 'trim', columns: ['name'] },
    ]);
    expect((await inject({ url: `/api/datasets/${id}`, s: alice })).statusCode).toBe(200);
    const listed = (await inject({ url: '/api/datasets', s: bob })).json().datasets as { id: string }[];
    expect(listed.find((d) => d.id === id)).toEqual(expect.objectContaining({ access: 'editor' }));
  });

  it('a revoked share is the 404 of an unknown id again, at once', async () => {
    await fresh();
    expect((await share('bob', 'editor')).statusCode).toBe(200);
    expect((await inject({ url: `/api/datasets/${id}/rows`, s: bob })).statusCode).toBe(200);
    const revoked = await revoke('bob');
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().shares).toEqual([]);
    await expectNothingThere(bob, 'bob (revoked)');
    // Revoking again changes nothing; only the owner revokes.
    expect((await revoke('bob')).statusCode).toBe(200);
    expect((await share('bob', 'viewer')).statusCode).toBe(200);
    expect((await revoke('bob', bob)).statusCode).toBe(403);
  });

  it("a prepared export is its preparer's alone, and goes when their share ends", async () => {
    await fresh();
    expect((await share('bob', 'viewer')).statusCode).toBe(200);
    const exportsUrl = `/api/datasets/${id}/exports`;
    const alices = (
      await inject({ method: 'POST', url: exportsUrl, s: alice, payload: { format: 'csv' } })
    ).json();
    const bobs = (
      await inject({ method: 'POST', url: exportsUrl, s: bob, payload: { format: 'csv' } })
    ).json();
    const waiting = async () =>
      (await inject({ url: `/api/datasets/${id}/location`, s: alice })).json().preparedExports as {
        user: string;
        path: string;
      }[];
    const bobsFile = (await waiting()).find((x) => x.user === 'bob')!.path;
    expect((await waiting()).map((x) => x.user).sort()).toEqual(['alice', 'bob']);
    // bob sees the dataset, but alice's link is not his: the 404 of a link that never was.
    const taken = await inject({ url: alices.href, s: bob });
    const never = await inject({ url: `/api/datasets/${id}/exports/${'A'.repeat(43)}`, s: bob });
    expect(taken.statusCode).toBe(404);
    expect(taken.body).toBe(never.body);
    expect((await inject({ url: alices.href, s: alice })).body).toContain(CANARY);
    // Revoked before he fetched it: his export is deleted with his access.
    expect((await revoke('bob')).statusCode).toBe(200);
    expect(await waiting()).toEqual([]);
    expect(fs.existsSync(bobsFile)).toBe(false);
    expect((await inject({ url: bobs.href, s: bob })).statusCode).toBe(404);
  });

  it('deleting the dataset ends its shares', async () => {
    await fresh();
    expect((await share('bob', 'viewer')).statusCode).toBe(200);
    expect((await share('carol', 'editor')).statusCode).toBe(200);
    const gone = id;
    expect((await inject({ method: 'DELETE', url: `/api/datasets/${id}`, s: alice })).statusCode).toBe(204);
    expect(h.t.store.list('bob', 'member').map((x) => x.entry.id)).not.toContain(gone);
    await expectNothingThere(bob, 'bob (dataset deleted)');
    // A new upload is alice's alone: nothing carried over.
    await fresh();
    expect(id).not.toBe(gone);
    await expectNothingThere(bob, 'bob (new dataset)');
    await expectNothingThere(await signInCarol(), 'carol (new dataset)');
  });

  it('refuses to share with an unknown or disabled account in the same words, with the owner, or as editor with a viewer account', async () => {
    await fresh();
    const unknown = await share('nobody', 'viewer');
    const disabled = await share('dora', 'viewer');
    expect(unknown.statusCode).toBe(400);
    expect(disabled.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('NO_SUCH_USER');
    expect(disabled.body.replace('dora', 'nobody')).toBe(unknown.body);
    expect((await share('alice', 'viewer')).json().error.code).toBe('SHARE_WITH_OWNER');
    expect((await share('vera', 'editor')).json().error.code).toBe('SHARE_ROLE');
    expect((await share('bob', 'owner')).statusCode).toBe(400);
    expect((await inject({ url: `/api/datasets/${id}/shares`, s: alice })).json().shares).toEqual([]);
  });

  it('a viewer account reads what is shared with it, and every route that needs a member is a 403', async () => {
    await fresh();
    expect((await share('vera', 'viewer')).statusCode).toBe(200);
    expect((await inject({ url: `/api/datasets/${id}/rows`, s: vera })).json().rows).toHaveLength(3);
    // Control 8: every signed-in route of the table that needs more than a viewer, whatever the id.
    const memberRoutes = h.t.routes.filter(
      (r) => r.access === 'user' && neededRole(r.method, r.minRole) !== 'viewer',
    );
    expect(memberRoutes.map(key)).toContain('POST /api/datasets');
    for (const r of memberRoutes) {
      for (const target of [id, UNKNOWN]) {
        const url = r.url.replace(':id', target).replace(':user', 'bob');
        const res = await inject({ method: r.method, url, s: vera, payload: {} });
        expect(res.statusCode, `${key(r)} as a viewer account`).toBe(403);
        expect(res.json().error.code).toBe('ROLE_FORBIDDEN');
      }
    }
    const me = (await inject({ url: '/api/auth/me', s: vera })).json();
    expect(me.role).toBe('viewer');
  });

  it('records shares and revocations with whom, and shows them to both; never a cell value', async () => {
    await fresh();
    const carol = await signInCarol();
    expect((await share('carol', 'viewer')).statusCode).toBe(200);
    expect((await inject({ url: `/api/datasets/${id}/rows`, s: carol })).statusCode).toBe(200);
    expect((await revoke('carol')).statusCode).toBe(200);
    expect((await inject({ url: `/api/datasets/${id}/rows`, s: carol })).statusCode).toBe(404);
    const events = h.t.audit.list({ limit: 20 }).filter((r) => r.target === id);
    expect(events.reverse().map((r) => [r.actor, r.action, r.owner, r.subject ?? null, r.result])).toEqual(
      expect.arrayContaining([
        ['alice', 'share', null, 'carol', 'ok'],
        ['carol', 'view', 'alice', null, 'ok'],
        ['alice', 'unshare', null, 'carol', 'ok'],
        ['carol', 'access_denied', 'alice', null, 'denied'],
      ]),
    );
    // carol's audit view has the share and its end; alice's has carol's use of her data.
    const carols = (await inject({ url: '/api/audit', s: carol })).json().events as { action: string }[];
    expect(carols.map((e) => e.action)).toEqual(expect.arrayContaining(['share', 'unshare']));
    const alices = (await inject({ url: '/api/audit?limit=500', s: alice })).json().events as {
      actor: string;
    }[];
    expect(alices.map((e) => e.actor)).toContain('carol');
    expect(JSON.stringify(h.t.audit.list({ limit: 1000 }))).not.toContain(CANARY);
    expect(h.logs()).not.toContain(CANARY);
    expect(h.t.audit.verify().ok).toBe(true);
  });
});

describe('sharing in single-user mode', () => {
  it('says there is no one to share with', async () => {
    const h = await harness();
    try {
      const s = await h.login();
      const id = (await upload(h, s.headers, 'a.csv', CSV)).json().id as string;
      const post: LightMyRequestResponse = await h.t.app.inject({
        method: 'POST',
        url: `/api/datasets/${id}/shares`,
        headers: s.headers,
        payload: { user: 'bob', role: 'viewer' },
      });
      expect(post.statusCode).toBe(400);
      expect(post.json().error.code).toBe('SHARING_UNAVAILABLE');
      const list = await h.t.app.inject({ url: `/api/datasets/${id}/shares`, headers: s.headers });
      expect(list.json()).toEqual({ owner: 'local', sharing: false, shares: [] });
    } finally {
      await h.close();
    }
  });
});

describe('expiry ends shares', () => {
  it('an expired dataset is gone for everyone it was shared with', async () => {
    const clock = fakeClock();
    const h = await localHarness(
      [
        { name: 'alice', password: 'alice password' },
        { name: 'bob', password: 'bob password' },
      ],
      { clock: clock.now, datasetIdleMs: 60_000, sessionIdleMs: 3_600_000 },
    );
    try {
      const alice = await h.signIn('alice', 'alice password');
      const bob = await h.signIn('bob', 'bob password');
      const id = (await upload(h, alice.headers, 'a.csv', CSV)).json().id as string;
      await h.t.app.inject({
        method: 'POST',
        url: `/api/datasets/${id}/shares`,
        headers: alice.headers,
        payload: { user: 'bob', role: 'viewer' },
      });
      expect((await h.t.app.inject({ url: `/api/datasets/${id}`, headers: bob.headers })).statusCode).toBe(
        200,
      );
      clock.advance(61_000);
      expect((await h.t.app.inject({ url: '/api/datasets', headers: bob.headers })).json().datasets).toEqual(
        [],
      );
      expect((await h.t.app.inject({ url: `/api/datasets/${id}`, headers: bob.headers })).statusCode).toBe(
        404,
      );
      expect(h.t.store.size).toBe(0);
    } finally {
      await h.close();
    }
  });
});
