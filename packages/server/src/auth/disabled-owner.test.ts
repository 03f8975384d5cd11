import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../test-support.js';
import { localHarness, type LocalHarness, type SignedIn } from './test-local.js';

const CANARY = 'canary0wn3rd15ab1ed77';
const ADMIN = { name: 'ada', password: 'ada has a long password', role: 'admin' as const };
const CAROL = { name: 'carol', password: 'carol has a long password' };
const DAN = { name: 'dan', password: 'dan has a long password too' };
const ERIN = { name: 'erin', password: 'erin has a long password' };

/** An account disabled (tidyvault users disable) takes its datasets with it: nobody is left to delete them. */
describe('datasets of a disabled account', () => {
  let h: LocalHarness;
  beforeAll(async () => {
    h = await localHarness([ADMIN, CAROL, DAN, ERIN], { sweepIntervalMs: 100 });
    await h.t.app.ready();
  });
  afterAll(() => h.close());

  const get = (s: SignedIn, url: string) => h.t.app.inject({ method: 'GET', url, headers: s.headers });
  const canaryRows = async () => {
    const tables = (await h.engine.connection.runAndReadAll('SELECT table_name FROM duckdb_tables()'))
      .getRowsJson()
      .map((r) => String(r[0]));
    let n = 0;
    for (const t of tables) {
      const r = await h.engine.connection.runAndReadAll(
        `SELECT count(*) FROM "${t}" AS t WHERE CAST(t AS VARCHAR) LIKE '%${CANARY}%'`,
      );
      n += Number(r.getRowsJson()[0]![0]);
    }
    return n;
  };
  const purges = () =>
    h.t.audit
      .list({ limit: 1_000 })
      .filter((r) => r.action === 'owner_disabled_purge')
      .map((r) => [r.actor, r.target, r.owner]);

  it('are purged at the next use, so a share no longer reaches them', async () => {
    const carol = await h.signIn('carol', CAROL.password);
    const dan = await h.signIn('dan', DAN.password);
    const id = (await upload(h, carol.headers, 'c.csv', `name,tag\nAnn,${CANARY}\n`)).json().id as string;
    const share = await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${id}/shares`,
      headers: carol.headers,
      payload: { user: 'dan', role: 'viewer' },
    });
    expect(share.statusCode, share.body).toBe(200);
    expect((await get(dan, `/api/datasets/${id}/rows`)).statusCode).toBe(200);

    h.accounts.disable('carol');
    const after = await get(dan, `/api/datasets/${id}/rows`);
    expect(after.statusCode).toBe(404);
    expect(after.body).not.toContain(CANARY);
    expect((await get(dan, '/api/datasets')).json().datasets).toEqual([]);
    expect(await canaryRows()).toBe(0);
    expect(purges()).toContainEqual(['system', id, 'carol']);
    // Enabled again, carol finds nothing: the data did not wait for her.
    h.accounts.enable('carol');
    const back = await h.signIn('carol', CAROL.password);
    expect((await get(back, '/api/datasets')).json().datasets).toEqual([]);
  });

  it('are purged by the sweep even if no one asks for them', async () => {
    const erin = await h.signIn('erin', ERIN.password);
    const dan = await h.signIn('dan', DAN.password);
    const id = (await upload(h, erin.headers, 'e.csv', `name,tag\nBo,${CANARY}\n`)).json().id as string;
    const own = (await upload(h, dan.headers, 'd.csv', 'name\nCy\n')).json().id as string;
    expect(await canaryRows()).toBe(1);
    h.accounts.disable('erin');
    await expect.poll(() => purges().some((p) => p[1] === id)).toBe(true);
    expect(await canaryRows()).toBe(0);
    // Someone else's dataset stays.
    expect((await get(dan, `/api/datasets/${own}`)).statusCode).toBe(200);
  });

  it('stay while the accounts file is missing (moved aside, a backup being restored)', async () => {
    const dan = await h.signIn('dan', DAN.password);
    const id = (await upload(h, dan.headers, 'd3.csv', 'name\nDo\n')).json().id as string;
    const aside = `${h.accounts.file}.aside`;
    fs.renameSync(h.accounts.file, aside);
    try {
      await new Promise((r) => setTimeout(r, 400));
    } finally {
      fs.renameSync(aside, h.accounts.file);
    }
    const again = await h.signIn('dan', DAN.password);
    expect((await get(again, `/api/datasets/${id}`)).statusCode).toBe(200);
    expect(purges().some((p) => p[1] === id)).toBe(false);
    const removals = h.t.audit.list({ limit: 1_000 }).filter((r) => r.action === 'account_remove');
    expect(removals).toEqual([]);
  });

  it('stay while the accounts file cannot be read (a broken file is not a disabled account)', async () => {
    const dan = await h.signIn('dan', DAN.password);
    const id = (await upload(h, dan.headers, 'd2.csv', 'name\nDi\n')).json().id as string;
    const file = fs.readdirSync(h.home).find((f) => f.startsWith('users'))!;
    const full = path.join(h.home, file);
    const saved = fs.readFileSync(full);
    try {
      fs.writeFileSync(full, '{ not json');
      await new Promise((r) => setTimeout(r, 400));
    } finally {
      fs.writeFileSync(full, saved);
    }
    const again = await h.signIn('dan', DAN.password);
    expect((await get(again, `/api/datasets/${id}`)).statusCode).toBe(200);
    expect(purges().some((p) => p[1] === id)).toBe(false);
  });
});
