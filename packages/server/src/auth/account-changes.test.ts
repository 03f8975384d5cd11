import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountChanges } from './account-changes.js';
import type { Account } from './accounts.js';
import { localHarness, type LocalHarness } from './test-local.js';

const account = (name: string, o: Partial<Account> = {}): Account => ({
  name,
  role: 'member',
  passwordHash: '$argon2id$x',
  disabled: false,
  generation: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  passwordChangedAt: '2026-01-01T00:00:00.000Z',
  ...o,
});

describe('accountChanges', () => {
  it('names each change once, and not a rehash at sign-in', () => {
    const before = [account('ann'), account('bob'), account('cy', { disabled: true }), account('dee')];
    const after = [
      account('ann', { passwordHash: '$argon2id$stronger' }),
      account('bob', { disabled: true, generation: 2 }),
      account('cy', { role: 'admin' }),
      account('eve'),
    ];
    expect(accountChanges(before, after)).toEqual([
      { action: 'account_disable', target: 'bob' },
      { action: 'account_role', target: 'cy' },
      { action: 'account_enable', target: 'cy' },
      { action: 'account_add', target: 'eve' },
      { action: 'account_remove', target: 'dee' },
    ]);
    expect(
      accountChanges([account('ann')], [account('ann', { passwordChangedAt: 'later', generation: 2 })]),
    ).toEqual([{ action: 'account_password_reset', target: 'ann' }]);
  });
});

const ADMIN = { name: 'ada', password: 'ada has a long password', role: 'admin' as const };

/** `tidyvault users …` changes users.json while the server runs: the audit log says so. */
describe('account changes made outside the server are audited', () => {
  let h: LocalHarness;
  beforeAll(async () => {
    h = await localHarness([ADMIN]);
  });
  afterAll(() => h.close());

  const changes = () =>
    h.t.audit
      .list({ limit: 1_000 })
      .filter((r) => r.action.startsWith('account_'))
      .sort((a, b) => a.seq - b.seq)
      .map((r) => [r.actor, r.action, r.target]);

  it('at the next request, as the system, naming the account', async () => {
    const before = changes().length;
    await h.accounts.add('fay', 'fay has a long password', 'member');
    h.accounts.disable('fay');
    await h.accounts.resetPassword('ada', 'ada has a new long password');
    h.accounts.enable('fay');
    await h.t.app.inject({ method: 'GET', url: '/api/auth/mode' });
    expect(changes().slice(before)).toEqual([
      ['system', 'account_password_reset', 'ada'],
      ['system', 'account_add', 'fay'],
    ]);
    h.accounts.disable('fay');
    await h.t.app.inject({ method: 'GET', url: '/api/auth/mode' });
    await h.t.app.inject({ method: 'GET', url: '/api/auth/mode' });
    expect(changes().slice(before + 2)).toEqual([['system', 'account_disable', 'fay']]);
  });

  it('shows the user the changes to their own account, and no one else’s', async () => {
    await h.accounts.add('gil', 'gil has a long password', 'member');
    await h.t.app.inject({ method: 'GET', url: '/api/auth/mode' });
    await h.accounts.resetPassword('gil', 'gil has another long password');
    await h.accounts.resetPassword('ada', 'ada has a third long password');
    const gil = await h.signIn('gil', 'gil has another long password');
    const seen = await h.t.app.inject({ method: 'GET', url: '/api/audit?limit=500', headers: gil.headers });
    expect(seen.statusCode).toBe(200);
    const events = (seen.json() as { events: { action: string; target: string | null }[] }).events;
    const accountEvents = events.filter((e) => e.action.startsWith('account_'));
    expect(accountEvents.map((e) => [e.action, e.target])).toEqual([
      ['account_password_reset', 'gil'],
      ['account_add', 'gil'],
    ]);
  });

  it('reports nothing while the file cannot be read, and no removals after', async () => {
    const before = changes().length;
    const saved = fs.readFileSync(h.accounts.file);
    fs.writeFileSync(h.accounts.file, '{ not json');
    await h.t.app.inject({ method: 'GET', url: '/api/auth/mode' });
    fs.writeFileSync(h.accounts.file, saved);
    await h.t.app.inject({ method: 'GET', url: '/api/auth/mode' });
    expect(changes().slice(before)).toEqual([]);
  });
});
