import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Accounts } from '../accounts.js';
import { IDENTITIES_FILE, OidcIdentities } from './identities.js';
import { baseUsername, Provisioner, usernameFrom } from './provision.js';

const home = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-provision-test-')), 'home');

describe('accounts for single sign-on identities', () => {
  it('names accounts from preferred_username, the email local part or the name, within the username rules', () => {
    expect(usernameFrom('Alice')).toBe('alice');
    expect(usernameFrom('alice.smith@example.com')).toBe('alice.smith');
    expect(usernameFrom('Zoë Ångström')).toBe('zoe-angstrom');
    expect(usernameFrom('__x__')).toBe('x');
    expect(usernameFrom('???')).toBeUndefined();
    expect(usernameFrom('a'.repeat(100))).toHaveLength(56);
    expect(baseUsername({ issuer: 'i', subject: 's', email: 'Bob@x.org' })).toBe('bob');
    expect(baseUsername({ issuer: 'i', subject: 's' })).toBe('user');
  });

  it('makes a new account per (issuer, subject), suffixed when the name is taken, and finds it again', async () => {
    const h = home();
    const accounts = new Accounts(h);
    await accounts.add('dana', 'dana correct horse', 'member');
    const identities = new OidcIdentities(h);
    const p = new Provisioner({ accounts, identities, adminSubjects: new Set() });
    const first = await p.signIn({ issuer: 'https://a.example', subject: '1', email: 'dana@a.example' });
    expect(first).toMatchObject({ created: true, account: { name: 'dana-2', role: 'member' } });
    // Same email, another issuer: another account.
    const other = await p.signIn({ issuer: 'https://b.example', subject: '1', email: 'dana@a.example' });
    expect(other.account.name).toBe('dana-3');
    // Same identity, new email: the same account.
    const again = await p.signIn({ issuer: 'https://a.example', subject: '1', email: 'dee@a.example' });
    expect(again).toMatchObject({ created: false, account: { name: 'dana-2' } });
    expect(identities.find('https://a.example', '1')?.email).toBe('dee@a.example');
    // The account made has a password hash nobody knows (argon2id, as every account).
    expect(accounts.get('dana-2')!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(fs.statSync(path.join(h, IDENTITIES_FILE)).mode & 0o777).toBe(0o600);
  });

  it('makes one account when the same identity signs in twice at once', async () => {
    const h = home();
    const accounts = new Accounts(h);
    const p = new Provisioner({ accounts, identities: new OidcIdentities(h), adminSubjects: new Set(['7']) });
    const id = { issuer: 'https://a.example', subject: '7', preferredUsername: 'erin' };
    const [a, b] = await Promise.all([p.signIn(id), p.signIn(id)]);
    expect(a.account.name).toBe('erin');
    expect(b.account.name).toBe('erin');
    expect(accounts.list().map((x) => [x.name, x.role])).toEqual([['erin', 'admin']]);
  });

  it('refuses an identities file others can read', () => {
    const h = home();
    const identities = new OidcIdentities(h);
    identities.link('https://a.example', '1', 'x', undefined);
    fs.chmodSync(identities.file, 0o644);
    expect(() => identities.find('https://a.example', '1')).toThrow(/readable by other users/);
  });
});
