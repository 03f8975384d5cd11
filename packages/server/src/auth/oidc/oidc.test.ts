import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../accounts.js';
import { SecretValue } from './client-secret.js';
import { IDENTITIES_FILE, OidcIdentities } from './identities.js';
import { CookieClient, freePort, oidcApp, startTestIdp, type OidcApp, type TestIdp } from './test-idp.js';

/**
 * Single sign-on against a real OpenID Provider (oidc-provider 9 in a child process on
 * 127.0.0.1), driven over real HTTP through the provider's own sign-in and consent pages.
 * SECURITY-CONTROLS control 6 (the protocol-level attacks; the token-level ones are in
 * attacks.test.ts) and control 7 (no open redirect after sign-in).
 */

const SESSION = 'tidyvault-sid';
const STATE = 'tidyvault-oidc';

const tmpHome = () => {
  const home = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-oidc-test-')), 'home');
  fs.mkdirSync(home, { mode: 0o700 });
  return home;
};

let home: string;
let idp: TestIdp;
let app: OidcApp;
let callback: string;

/** Starts a sign-in in `c` and follows it through the provider to the callback URL (not requested). */
async function toCallback(c: CookieClient, login: string, next?: string, a: OidcApp = app): Promise<URL> {
  const start = await c.request(
    `${a.origin}/auth/oidc/login${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`,
  );
  expect(start.status).toBe(303);
  return c.signInAtProvider(start.headers.get('location')!, login, `${a.origin}/auth/oidc/callback`);
}

async function me(c: CookieClient, a: OidcApp = app) {
  const res = await c.request(`${a.origin}/api/auth/me`);
  return {
    status: res.status,
    body: res.status === 200 ? ((await res.json()) as { user: string; role: string }) : undefined,
  };
}

async function signIn(login: string, a: OidcApp = app): Promise<{ c: CookieClient; res: Response }> {
  const c = new CookieClient();
  const cb = await toCallback(c, login, undefined, a);
  const res = await c.request(cb.href);
  return { c, res };
}

describe('single sign-on with a real OpenID Provider (serve --auth oidc)', () => {
  beforeAll(async () => {
    home = tmpHome();
    // A local account named alice exists already: SSO must never take it over.
    await new Accounts(home).add('alice', 'alice correct horse', 'admin');
    const port = await freePort();
    callback = `http://127.0.0.1:${port}/auth/oidc/callback`;
    idp = await startTestIdp({
      redirectUris: [callback],
      accounts: {
        'sub-1001': { email: 'alice@example.com', email_verified: true, preferred_username: 'alice' },
        boss: { email: 'boss@example.com', email_verified: true },
      },
    });
    app = await oidcApp({
      port,
      home,
      oidc: {
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: new SecretValue(idp.clientSecret),
        providerName: 'Test IdP',
        adminSubjects: ['boss'],
      },
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    fs.rmSync(path.dirname(home), { recursive: true, force: true });
  });

  it('says how to sign in, and has no password sign-in', async () => {
    const c = new CookieClient();
    const mode = await c.request(`${app.origin}/api/auth/mode`);
    expect(await mode.json()).toEqual({ mode: 'oidc', setup: false, provider: 'Test IdP' });
    const login = await fetch(`${app.origin}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice correct horse' }),
    });
    // DESIGN.md's password sign-in answers, saying where to sign in instead.
    expect(login.status).toBe(400);
    expect(await login.json()).toEqual({
      error: {
        code: 'PASSWORD_LOGIN_UNAVAILABLE',
        message: 'this server signs in with single sign-on: open /auth/oidc/login',
      },
    });
    const api = (await (await fetch(`${app.origin}/api/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(api.paths)).toEqual(
      expect.arrayContaining(['/auth/oidc/login', '/auth/oidc/callback']),
    );
  });

  it('denies by default: only health, the API description, the mode and the sign-in routes are public', async () => {
    const pub = app.t.routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`);
    expect(pub.sort()).toEqual(
      [
        'GET /api/auth/mode',
        'POST /api/auth/login',
        'GET /api/openapi.json',
        'GET /auth/oidc/callback',
        'GET /auth/oidc/login',
        'GET /healthz',
      ].sort(),
    );
    for (const r of app.t.routes.filter((x) => x.access !== 'public' && x.method !== 'HEAD')) {
      const res = await fetch(
        `${app.origin}${r.url.replace(/:(\w+)/g, '0123456789abcdef0123456789abcdef')}`,
        {
          method: r.method,
          redirect: 'manual',
        },
      );
      expect([401, 403], `${r.method} ${r.url}`).toContain(res.status);
    }
  });

  it('starts with code + PKCE (S256) + state + nonce, bound to a short-lived HttpOnly SameSite=Lax cookie', async () => {
    const c = new CookieClient();
    const res = await c.request(`${app.origin}/auth/oidc/login`);
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin).toBe(idp.issuer);
    const q = to.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(idp.clientId);
    expect(q.get('redirect_uri')).toBe(callback);
    expect(q.get('scope')!.split(' ')).toEqual(['openid', 'email', 'profile']);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(q.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    const set = res.headers.getSetCookie().find((l) => l.startsWith(`${STATE}=`))!;
    expect(set).toMatch(/; Max-Age=600/);
    expect(set).toMatch(/; Path=\//);
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Lax/);
    // Sealed: neither the state, the nonce nor the verifier can be read from it.
    const value = c.cookie(app.origin, STATE)!;
    expect(value).not.toContain(q.get('state'));
    expect(Buffer.from(value, 'base64url').toString('latin1')).not.toContain(q.get('nonce'));
    // A second start makes a new state and nonce.
    const again = new URL((await c.request(`${app.origin}/auth/oidc/login`)).headers.get('location')!);
    expect(again.searchParams.get('state')).not.toBe(q.get('state'));
    expect(again.searchParams.get('nonce')).not.toBe(q.get('nonce'));
  });

  it("signs in through the provider's pages onto a new member account keyed by (issuer, subject), never the local alice", async () => {
    const c = new CookieClient();
    const cb = await toCallback(c, 'sub-1001', '/datasets?x=1');
    expect(cb.searchParams.get('code')).toBeTruthy();
    const before = await me(c);
    expect(before.status).toBe(401);
    const res = await c.request(cb.href);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/datasets?x=1');
    expect(c.cookie(app.origin, STATE)).toBeUndefined();
    expect(c.cookie(app.origin, SESSION)).toBeTruthy();
    const signedIn = await me(c);
    // preferred_username alice is taken by a local account: the new account is alice-2.
    expect(signedIn.body).toMatchObject({ user: 'alice-2', role: 'member' });
    const alice = app.accounts.get('alice')!;
    expect(alice.role).toBe('admin');
    expect(alice.generation).toBe(1);
    const ids = new OidcIdentities(home).list();
    expect(ids).toEqual([
      expect.objectContaining({
        issuer: idp.issuer,
        subject: 'sub-1001',
        user: 'alice-2',
        email: 'alice@example.com',
      }),
    ]);
    expect(fs.statSync(path.join(home, IDENTITIES_FILE)).mode & 0o777).toBe(0o600);
    // A dataset route works with the session.
    expect((await c.request(`${app.origin}/api/datasets`)).status).toBe(200);
  });

  it('rotates the session: a session the browser had before signing in ends', async () => {
    const first = await signIn('sub-1001');
    const old = first.c.cookie(app.origin, SESSION)!;
    const cb = await toCallback(first.c, 'sub-1001');
    expect((await first.c.request(cb.href)).status).toBe(303);
    const now = first.c.cookie(app.origin, SESSION)!;
    expect(now).not.toBe(old);
    const stale = new CookieClient();
    stale.setCookie(app.origin, SESSION, old);
    expect((await me(stale)).status).toBe(401);
    expect((await me(first.c)).body?.user).toBe('alice-2');
  });

  it('refuses a replayed code with 400', async () => {
    const c = new CookieClient();
    const cb = await toCallback(c, 'sub-1001');
    const sealed = c.cookie(app.origin, STATE)!;
    expect((await c.request(cb.href)).status).toBe(303);
    // The same callback again, even with the same login-state cookie: the provider refuses the code.
    const replay = new CookieClient();
    replay.setCookie(app.origin, STATE, sealed);
    const res = await replay.request(cb.href);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('data-reason="code_rejected"');
    expect(replay.cookie(app.origin, SESSION)).toBeUndefined();
    // And without it (the cookie is cleared after the first use): no sign-in of this browser.
    const bare = await new CookieClient().request(cb.href);
    expect(bare.status).toBe(400);
    expect(await bare.text()).toContain('data-reason="login_state_missing"');
  });

  it('refuses a mismatched state with 400 (login CSRF: a callback started in another browser)', async () => {
    const attacker = new CookieClient();
    const attackersCallback = await toCallback(attacker, 'sub-1001');
    // The victim started a sign-in of their own; the attacker makes their browser open the
    // attacker's callback URL.
    const victim = new CookieClient();
    await victim.request(`${app.origin}/auth/oidc/login`);
    const res = await victim.request(attackersCallback.href);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('data-reason="state_mismatch"');
    expect((await me(victim)).status).toBe(401);
    // An altered state in a genuine callback is refused the same way.
    const c = new CookieClient();
    const cb = await toCallback(c, 'sub-1001');
    cb.searchParams.set('state', `${cb.searchParams.get('state')}x`);
    expect((await c.request(cb.href)).status).toBe(400);
  });

  it('keeps the account when the provider changes the email; never looks the email up', async () => {
    idp.setAccounts({
      'sub-1001': { email: 'alice.new@example.com', email_verified: true, preferred_username: 'alice' },
      boss: { email: 'boss@example.com', email_verified: true },
    });
    try {
      const { c, res } = await signIn('sub-1001');
      expect(res.status).toBe(303);
      expect((await me(c)).body?.user).toBe('alice-2');
      expect(new OidcIdentities(home).find(idp.issuer, 'sub-1001')?.email).toBe('alice.new@example.com');
    } finally {
      idp.setAccounts({
        'sub-1001': { email: 'alice@example.com', email_verified: true, preferred_username: 'alice' },
        boss: { email: 'boss@example.com', email_verified: true },
      });
    }
  });

  it('makes the account of a configured admin subject an administrator', async () => {
    const { c } = await signIn('boss');
    expect((await me(c)).body).toEqual(expect.objectContaining({ user: 'boss', role: 'admin' }));
  });

  it('refuses a disabled account, and its open sessions end', async () => {
    const { c } = await signIn('sub-1001');
    app.accounts.disable('alice-2');
    try {
      expect((await me(c)).status).toBe(401);
      const again = await signIn('sub-1001');
      expect(again.res.status).toBe(403);
      expect(await again.res.text()).toContain('data-reason="account_disabled"');
      expect(again.c.cookie(app.origin, SESSION)).toBeUndefined();
    } finally {
      app.accounts.enable('alice-2');
    }
  });

  it('never sends the browser elsewhere after signing in (control 7)', async () => {
    const evil = [
      '//evil.example',
      '/\\evil.example',
      '\\\\evil',
      'https://evil.example',
      '///evil.example',
      '/%2F%2Fevil',
      'javascript:alert(1)',
    ];
    for (const next of evil) {
      const c = new CookieClient();
      const cb = await toCallback(c, 'sub-1001', next);
      const res = await c.request(cb.href);
      expect(res.status, next).toBe(303);
      expect(res.headers.get('location'), next).toBe('/');
    }
  });

  it('signing out ends the sign-in at the provider too: the next sign-in asks for the login again', async () => {
    /** From a sign-in's start, the provider's pages up to a form (its prompt) or back to the callback. */
    const promptOnWayBack = async (c: CookieClient): Promise<string> => {
      let url = (await c.request(`${app.origin}/auth/oidc/login`)).headers.get('location')!;
      for (let hops = 0; hops < 10; hops++) {
        if (url.startsWith(callback)) return 'none';
        const res = await c.request(url);
        if (res.status >= 300 && res.status < 400) url = new URL(res.headers.get('location')!, url).href;
        else return /name="prompt" value="(\w+)"/.exec(await res.text())?.[1] ?? `page ${res.status}`;
      }
      throw new Error('too many redirects');
    };
    const c = new CookieClient();
    expect((await c.request((await toCallback(c, 'sub-1001')).href)).status).toBe(303);
    // Control: while the provider's session lives, a new sign-in goes straight through.
    expect(await promptOnWayBack(c)).toBe('none');

    const who = await c.request(`${app.origin}/api/auth/me`);
    const { csrfToken } = (await who.json()) as { csrfToken: string };
    const out = await fetch(`${app.origin}/api/auth/logout`, {
      method: 'POST',
      headers: {
        cookie: `${SESSION}=${c.cookie(app.origin, SESSION)}`,
        'x-tidyvault-csrf': csrfToken,
        origin: app.origin,
      },
    });
    expect(out.status).toBe(200);
    const end = new URL(((await out.json()) as { endSessionUrl: string }).endSessionUrl);
    expect(end.origin).toBe(new URL(idp.issuer).origin);
    expect(end.searchParams.get('client_id')).toBe(idp.clientId);
    const hint = end.searchParams.get('id_token_hint')!;
    expect(hint.split('.')).toHaveLength(3);
    expect(app.logs()).not.toContain(hint);
    expect((await me(c)).status).toBe(401);

    // The browser goes there; the provider asks, and signs it out.
    const ask = await c.request(end.href);
    const page = await ask.text();
    expect(ask.status, page.slice(0, 300)).toBe(200);
    const action = /<form[^>]*action="([^"]+)"/.exec(page)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)![1]!;
    const done = await c.request(new URL(action, end).href, {
      method: 'POST',
      form: { xsrf, logout: 'yes' },
    });
    expect(done.status).toBeLessThan(400);
    expect(await promptOnWayBack(c)).toBe('login');
  });

  it("counts a sign-in as a fresh proof of identity from the provider's auth_time (break-glass)", async () => {
    const { c } = await signIn('boss');
    const { csrfToken } = (await (await c.request(`${app.origin}/api/auth/me`)).json()) as {
      csrfToken: string;
    };
    const res = await fetch(`${app.origin}/api/datasets/0123456789abcdef0123456789abcdef/break-glass`, {
      method: 'POST',
      headers: {
        cookie: `${SESSION}=${c.cookie(app.origin, SESSION)}`,
        'x-tidyvault-csrf': csrfToken,
        origin: app.origin,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ reason: 'checking the break-glass freshness' }),
    });
    // Past the freshness check: an unknown id is the 404 it is for everyone.
    expect(res.status).toBe(404);
  });

  it('records sign-ins and their failures in the audit log, with reasons and never a token', async () => {
    const c = new CookieClient();
    const cb = await toCallback(c, 'sub-1001');
    cb.searchParams.set('state', 'forged');
    await c.request(cb.href);
    const records = app.t.audit.list({ limit: 500 });
    const sso = records.filter((r) => r.route === 'GET /auth/oidc/callback');
    const created = sso.filter((r) => r.target === 'oidc:account_created');
    expect(created.map((r) => [r.actor, r.actorKind, r.action, r.result, r.status])).toEqual([
      ['boss', 'user', 'login', 'ok', 303],
      ['alice-2', 'user', 'login', 'ok', 303],
    ]);
    expect(sso.some((r) => r.actor === 'alice-2' && r.target === 'oidc' && r.action === 'login')).toBe(true);
    expect(sso.find((r) => r.target === 'oidc:state_mismatch')).toMatchObject({
      actor: 'anonymous',
      action: 'login_failed',
      status: 400,
    });
    expect(sso.find((r) => r.target === 'oidc:code_rejected')?.action).toBe('login_failed');
    expect(sso.find((r) => r.target === 'oidc:account_disabled')?.action).toBe('login_failed');
    // No code, state or secret anywhere in the audit log or the server log.
    const everything = JSON.stringify(records) + app.logs();
    expect(everything).not.toContain(cb.searchParams.get('code')!);
    expect(everything).not.toContain(idp.clientSecret);
    expect(app.logs()).toContain('"reason":"state_mismatch"');
  });
});

describe('a second provider asserting the same email', () => {
  it('gets a new account, never the first provider’s', async () => {
    const home2 = tmpHome();
    const portA = await freePort();
    const portB = await freePort();
    const cbA = `http://127.0.0.1:${portA}/auth/oidc/callback`;
    const cbB = `http://127.0.0.1:${portB}/auth/oidc/callback`;
    const claims = { email: 'carol@example.com', email_verified: true };
    const idpA = await startTestIdp({ redirectUris: [cbA], accounts: { 'carol-at-a': claims } });
    // The same email, and even the same subject string, at another issuer.
    const idpB = await startTestIdp({
      redirectUris: [cbB],
      accounts: { 'carol-at-a': claims, 'carol-b': claims },
    });
    const appA = await oidcApp({
      port: portA,
      home: home2,
      oidc: {
        issuer: idpA.issuer,
        clientId: idpA.clientId,
        clientSecret: new SecretValue(idpA.clientSecret),
      },
    });
    const appB = await oidcApp({
      port: portB,
      home: home2,
      oidc: {
        issuer: idpB.issuer,
        clientId: idpB.clientId,
        clientSecret: new SecretValue(idpB.clientSecret),
      },
    });
    try {
      const a = await signIn('carol-at-a', appA);
      expect((await me(a.c, appA)).body?.user).toBe('carol');
      const b1 = await signIn('carol-b', appB);
      expect((await me(b1.c, appB)).body?.user).toBe('carol-2');
      const b2 = await signIn('carol-at-a', appB);
      expect((await me(b2.c, appB)).body?.user).toBe('carol-3');
      // And A's carol is still A's.
      const a2 = await signIn('carol-at-a', appA);
      expect((await me(a2.c, appA)).body?.user).toBe('carol');
      expect(
        new OidcIdentities(home2)
          .list()
          .map((i) => [i.issuer === idpA.issuer ? 'A' : 'B', i.subject, i.user]),
      ).toEqual([
        ['A', 'carol-at-a', 'carol'],
        ['B', 'carol-b', 'carol-2'],
        ['B', 'carol-at-a', 'carol-3'],
      ]);
    } finally {
      await appA.close();
      await appB.close();
      await idpA.stop();
      await idpB.stop();
      fs.rmSync(path.dirname(home2), { recursive: true, force: true });
    }
  }, 60_000);
});
