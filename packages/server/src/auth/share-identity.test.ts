import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../test-support.js';
import { localHarness, type LocalHarness, type SignedIn } from './test-local.js';

const CAROL = { name: 'carol', password: 'carol has a long password' };
const DAN = { name: 'dan', password: 'dan has a long password too' };

/** A share is given to an account, not to a name: it ends when the account goes, and a new account of that name does not inherit it. */
describe('a share of a removed account', () => {
  let h: LocalHarness;
  beforeAll(async () => {
    h = await localHarness([CAROL, DAN]);
    await h.t.app.ready();
  });
  afterAll(() => h.close());

  const get = (s: SignedIn, url: string) => h.t.app.inject({ method: 'GET', url, headers: s.headers });
  /** What an administrator does by hand: users.json rewritten without the account (a new file, as the CLI writes). */
  const removeByHand = (name: string) => {
    const doc = JSON.parse(fs.readFileSync(h.accounts.file, 'utf8')) as { users: { name: string }[] };
    doc.users = doc.users.filter((u) => u.name !== name);
    const next = `${h.accounts.file}.next`;
    fs.writeFileSync(next, JSON.stringify(doc), { mode: 0o600 });
    fs.renameSync(next, h.accounts.file);
  };

  it('ends with the account, and the same name given to someone new reaches nothing', async () => {
    const carol = await h.signIn('carol', CAROL.password);
    const dan = await h.signIn('dan', DAN.password);
    const id = (await upload(h, carol.headers, 'c.csv', 'name\nAnn\n')).json().id as string;
    const share = await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${id}/shares`,
      headers: carol.headers,
      payload: { user: 'dan', role: 'viewer' },
    });
    expect(share.statusCode, share.body).toBe(200);
    expect((await get(dan, `/api/datasets/${id}/rows`)).statusCode).toBe(200);

    removeByHand('dan');
    expect((await get(carol, `/api/datasets/${id}/shares`)).json().shares).toEqual([]);
    // Made again, in the same millisecond or not: another account.
    await new Promise((r) => setTimeout(r, 5));
    await h.accounts.add('dan', 'the new dan has another password', 'member');
    const newDan = await h.signIn('dan', 'the new dan has another password');
    const rows = await get(newDan, `/api/datasets/${id}/rows`);
    expect(rows.statusCode).toBe(404);
    expect(rows.body).not.toContain('Ann');
    expect((await get(newDan, '/api/datasets')).json().datasets).toEqual([]);
    expect((await get(carol, `/api/datasets/${id}/shares`)).json().shares).toEqual([]);
  });

  it('ends even when the removal and the new account both happen between two requests', async () => {
    const carol = await h.signIn('carol', CAROL.password);
    await h.accounts.add('erin', 'erin has a long password', 'member');
    const id = (await upload(h, carol.headers, 'd.csv', 'name\nBea\n')).json().id as string;
    await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${id}/shares`,
      headers: carol.headers,
      payload: { user: 'erin', role: 'viewer' },
    });
    // Removed and made again with no request in between: the share still ends (another account).
    removeByHand('erin');
    await new Promise((r) => setTimeout(r, 5));
    await h.accounts.add('erin', 'the new erin has another password', 'member');
    const newErin = await h.signIn('erin', 'the new erin has another password');
    expect((await get(newErin, `/api/datasets/${id}/rows`)).statusCode).toBe(404);
  });
});
