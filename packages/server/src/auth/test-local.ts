import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { ServerOptions } from '../options.js';
import { cookieName } from '../security/access.js';
import { harness, type Harness } from '../test-support.js';
import { Accounts, type Role } from './accounts.js';

export interface SignedIn {
  cookie: string;
  csrf: string;
  /** cookie + CSRF header, for state changes. */
  headers: Record<string, string>;
}

export interface LocalHarness extends Harness {
  accounts: Accounts;
  home: string;
  /** POST /api/auth/login; the raw response. */
  tryLogin: (
    username: string,
    password: string,
    headers?: Record<string, string>,
  ) => Promise<LightMyRequestResponse>;
  /** Signs in (throws unless 200). */
  signIn: (username: string, password: string) => Promise<SignedIn>;
}

/** A real app in `auth: 'local'` mode over a fresh private $TIDYVAULT_HOME with these accounts. */
export async function localHarness(
  users: { name: string; password: string; role?: Role }[] = [],
  o: Partial<ServerOptions> = {},
): Promise<LocalHarness> {
  const home = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-local-test-')), 'home');
  const accounts = new Accounts(home, o.clock);
  for (const u of users) await accounts.add(u.name, u.password, u.role ?? 'member');
  const h = await harness({ auth: 'local', accounts, ...o });
  const name = cookieName(o.tls !== undefined);
  const tryLogin = (username: string, password: string, headers: Record<string, string> = {}) =>
    h.t.app.inject({ method: 'POST', url: '/api/auth/login', headers, payload: { username, password } });
  const signIn = async (username: string, password: string): Promise<SignedIn> => {
    const res = await tryLogin(username, password);
    const set = res.cookies.find((c) => c.name === name);
    if (res.statusCode !== 200 || !set) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
    const cookie = `${name}=${set.value}`;
    const csrf = (res.json() as { csrfToken: string }).csrfToken;
    return { cookie, csrf, headers: { cookie, 'x-tidyvault-csrf': csrf } };
  };
  const first = users[0];
  return {
    ...h,
    accounts,
    home,
    tryLogin,
    signIn,
    login: async () => {
      if (!first) throw new Error('no account to sign in with');
      return signIn(first.name, first.password);
    },
    close: async () => {
      await h.close();
      fs.rmSync(path.dirname(home), { recursive: true, force: true });
    },
  };
}
