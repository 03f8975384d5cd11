import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../options.js';
import { fakeClock, upload } from '../test-support.js';
import { localHarness, type LocalHarness, type SignedIn } from './test-local.js';

const CANARY = 'canaryb7e1a5f0c9d2';
const ROOT = { name: 'root', password: 'root has a long password', role: 'admin' as const };
const ALICE = { name: 'alice', password: 'alice has a long password' };
const BOB = { name: 'bob', password: 'bob has a long password too' };

/**
 * SECURITY-CONTROLS 11: an administrator is not a data reader. Breaking the glass needs a
 * fresh proof of identity and a reason, is audited, gives a view for 15 minutes only, and the
 * owner sees it.
 */
describe('break-glass: an administrator views a dataset that is not theirs', () => {
  const clock = fakeClock();
  let h: LocalHarness;
  let root: SignedIn;
  let alice: SignedIn;
  let id: string;
  beforeAll(async () => {
    h = await localHarness([ROOT, ALICE, BOB], { clock: clock.now });
    root = await h.signIn('root', ROOT.password);
    alice = await h.signIn('alice', ALICE.password);
    id = (await upload(h, alice.headers, 'pay.csv', `name,note\nAnn,${CANARY}\n`)).json().id as string;
  });
  afterAll(() => h.close());

  const get = (s: SignedIn, url: string) => h.t.app.inject({ method: 'GET', url, headers: s.headers });
  const breakGlass = (s: SignedIn, payload: object, dataset = id) =>
    h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${dataset}/break-glass`,
      headers: s.headers,
      payload,
    });
  const reason = { reason: 'incident 4711: alice is away and payroll must be checked' };

  it('lists every dataset to administrators only, without names, columns or cells', async () => {
    const list = await get(root, '/api/admin/datasets');
    expect(list.statusCode).toBe(200);
    expect(list.json().datasets).toEqual([
      expect.objectContaining({ id, owner: 'alice', rows: 1, columns: 2, shares: 0 }),
    ]);
    for (const secret of ['pay.csv', 'note', CANARY]) expect(list.body).not.toContain(secret);
    expect((await get(alice, '/api/admin/datasets')).statusCode).toBe(403);
    const audited = h.t.audit.list({ limit: 1_000 }).filter((r) => r.action === 'admin_list');
    expect(audited.map((r) => [r.actor, r.status])).toEqual([['root', 200]]);
  });

  it('refuses without a recent proof of identity, a reason or the admin role', async () => {
    expect((await get(root, `/api/datasets/${id}`)).statusCode).toBe(404);
    const bob = await h.signIn('bob', BOB.password);
    expect((await breakGlass(bob, reason)).statusCode).toBe(403);

    clock.advance(6 * MINUTE);
    const stale = await breakGlass(root, reason);
    expect(stale.statusCode).toBe(403);
    expect(stale.json().error.code).toBe('REAUTH_REQUIRED');

    const wrong = await h.t.app.inject({
      method: 'POST',
      url: '/api/auth/reauth',
      headers: root.headers,
      payload: { password: 'not it' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('REAUTH_FAILED');
    expect((await breakGlass(root, reason)).statusCode).toBe(403);

    const again = await h.t.app.inject({
      method: 'POST',
      url: '/api/auth/reauth',
      headers: root.headers,
      payload: { password: ROOT.password },
    });
    expect(again.statusCode).toBe(204);
    const terse = await breakGlass(root, { reason: 'because' });
    expect(terse.statusCode).toBe(400);
    expect(terse.json().error.message).toMatch(/reason/);
    const unknown = await breakGlass(root, reason, '0123456789abcdef0123456789abcdef');
    const unknownGet = await get(alice, '/api/datasets/0123456789abcdef0123456789abcdef');
    expect([unknown.statusCode, unknown.body]).toEqual([404, unknownGet.body]);
    expect(
      h.t.audit.list({ limit: 1_000 }).filter((r) => r.action === 'breakglass' && r.result === 'ok'),
    ).toEqual([]);
  });

  it('gives a view for 15 minutes, audited, that the owner sees with its reason', async () => {
    const res = await breakGlass(root, reason);
    expect(res.statusCode).toBe(200);
    expect((await get(root, `/api/datasets/${id}/rows?offset=0&limit=10`)).body).toContain(CANARY);
    // A view only: no step, no share, no delete.
    const step = await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${id}/steps`,
      headers: root.headers,
      payload: { step: { op: 'trim', columns: ['name'] } },
    });
    expect(step.statusCode).toBe(403);

    const shares = (await get(alice, `/api/datasets/${id}/shares`)).json().shares;
    expect(shares).toEqual([
      {
        user: 'root',
        role: 'viewer',
        since: new Date(clock.now()).toISOString(),
        breakGlass: { reason: reason.reason, until: new Date(clock.now() + 15 * MINUTE).toISOString() },
      },
    ]);
    const location = (await get(alice, `/api/datasets/${id}/location`)).json();
    expect(location.recentAccesses).toEqual(
      expect.arrayContaining([expect.objectContaining({ user: 'root', op: 'breakglass' })]),
    );
    // One record of the glass broken, naming the owner; the reads it allowed are recorded too.
    const records = h.t.audit.list({ limit: 1_000 }).filter((r) => r.target === id && r.actor === 'root');
    const glass = records.filter((r) => r.action === 'breakglass' && r.result === 'ok');
    expect(glass.map((r) => [r.owner, r.status, r.route])).toEqual([
      ['alice', 200, 'POST /api/datasets/:id/break-glass'],
    ]);
    expect(records.some((r) => r.action === 'view' && r.owner === 'alice' && r.status === 200)).toBe(true);

    clock.advance(15 * MINUTE + 1);
    expect((await get(root, `/api/datasets/${id}`)).statusCode).toBe(404);
    expect((await get(alice, `/api/datasets/${id}/shares`)).json().shares).toEqual([]);
  });

  it('is not needed, and refused, for a dataset the administrator can open', async () => {
    const own = (await upload(h, root.headers, 'own.csv', 'x\n1\n')).json().id as string;
    await h.t.app.inject({
      method: 'POST',
      url: '/api/auth/reauth',
      headers: root.headers,
      payload: { password: ROOT.password },
    });
    const res = await breakGlass(root, reason, own);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BREAK_GLASS_NOT_NEEDED');
  });
});
