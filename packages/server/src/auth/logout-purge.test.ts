import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../test-support.js';
import { localHarness, type LocalHarness, type SignedIn } from './test-local.js';

const CANARY = 'canary0ut9f3e1d2c4b5a6';
const ALICE = { name: 'alice', password: 'alice has a long password', role: 'admin' as const };
const BOB = { name: 'bob', password: 'bob has a long password too' };

/** Signing out with "delete my datasets" (DESIGN.md: datasets are purged on logout). */
describe('signing out with purge', () => {
  let h: LocalHarness;
  beforeAll(async () => {
    h = await localHarness([ALICE, BOB]);
  });
  afterAll(() => h.close());

  const get = (s: SignedIn, url: string) => h.t.app.inject({ method: 'GET', url, headers: s.headers });
  const logout = (s: SignedIn, payload?: object) =>
    h.t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: s.headers,
      ...(payload ? { payload } : {}),
    });
  const tables = async () =>
    (await h.engine.connection.runAndReadAll('SELECT table_name FROM duckdb_tables()'))
      .getRowsJson()
      .map((r) => String(r[0]));
  const canaryRows = async () => {
    let n = 0;
    for (const t of await tables()) {
      const r = await h.engine.connection.runAndReadAll(
        `SELECT count(*) FROM "${t}" AS t WHERE CAST(t AS VARCHAR) LIKE '%${CANARY}%'`,
      );
      n += Number(r.getRowsJson()[0]![0]);
    }
    return n;
  };

  it('deletes every dataset the user owns, everywhere, and only those', async () => {
    const first = await h.signIn('alice', ALICE.password);
    const second = await h.signIn('alice', ALICE.password);
    const bob = await h.signIn('bob', BOB.password);
    const csv = `name,tag\nAnn,${CANARY}\nBo,${CANARY}\n`;
    const mine = [
      (await upload(h, second.headers, 'a.csv', csv)).json().id as string,
      (await upload(h, second.headers, 'b.csv', csv)).json().id as string,
    ];
    const bobs = (await upload(h, bob.headers, 'c.csv', 'name\nCy\n')).json().id as string;
    const share = await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${mine[0]}/shares`,
      headers: second.headers,
      payload: { user: 'bob', role: 'viewer' },
    });
    expect(share.statusCode).toBe(200);
    const held = (await tables()).length;
    expect(await canaryRows()).toBe(4);

    // Told to keep them, a sign-out keeps them: alice's other session still has both.
    const kept = await logout(first, { purge: false });
    expect(kept.statusCode, kept.body).toBe(204);
    for (const id of mine) expect((await get(second, `/api/datasets/${id}`)).statusCode).toBe(200);

    const out = await logout(second, { purge: true });
    expect(out.statusCode, out.body).toBe(204);
    expect((await get(second, '/api/auth/me')).statusCode).toBe(401);
    // Gone for bob, who had a share, and for alice when she signs in again.
    expect((await get(bob, `/api/datasets/${mine[0]}`)).statusCode).toBe(404);
    const again = await h.signIn('alice', ALICE.password);
    expect((await get(again, '/api/datasets')).json().datasets).toEqual([]);
    // Bob's own dataset stays.
    expect((await get(bob, `/api/datasets/${bobs}`)).statusCode).toBe(200);
    // The tables are dropped, and no row of the canary is left in the engine.
    expect((await tables()).length).toBe(held - 2);
    expect(await canaryRows()).toBe(0);

    const purges = h.t.audit
      .list({ limit: 1_000 })
      .filter((r) => r.action === 'logout_purge')
      .map((r) => [r.actor, r.target, r.owner]);
    expect(purges.sort()).toEqual(mine.map((id) => ['system', id, 'alice']).sort());
  });

  it('purges when signing out with no body, as DESIGN.md promises', async () => {
    const s = await h.signIn('bob', BOB.password);
    const other = await h.signIn('bob', BOB.password);
    const id = (await upload(h, s.headers, 'd.csv', `name,tag\nDi,${CANARY}\n`)).json().id as string;
    expect(await canaryRows()).toBe(1);
    const out = await logout(s);
    expect(out.statusCode, out.body).toBe(204);
    expect((await get(other, `/api/datasets/${id}`)).statusCode).toBe(404);
    expect((await get(other, '/api/datasets')).json().datasets).toEqual([]);
    expect(await canaryRows()).toBe(0);
  });

  it('names a malformed body', async () => {
    const s = await h.signIn('bob', BOB.password);
    const res = await logout(s, { purge: 'yes' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/purge/);
    expect((await get(s, '/api/auth/me')).statusCode).toBe(200);
  });
});
