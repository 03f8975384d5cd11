import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretValue } from './client-secret.js';
import { OidcIdentities } from './identities.js';
import { startRogueIssuer, type RogueIssuer, type RogueMode } from './rogue-issuer.js';
import { CookieClient, freePort, oidcApp, type OidcApp } from './test-idp.js';

/**
 * The token-level attacks of SECURITY-CONTROLS control 6, against a provider whose answers the
 * test controls (rogue-issuer.ts: real HTTP on loopback, ID tokens signed with jose). openid-client
 * runs unmocked; every refusal is the relying party's own.
 */

const SESSION = 'tidyvault-sid';

let home: string;
let rogue: RogueIssuer;
let app: OidcApp;

/** A whole sign-in: start, the provider's redirect back, the callback. */
async function attempt(next?: string): Promise<{ c: CookieClient; res: Response; body: string }> {
  const c = new CookieClient();
  const start = await c.request(
    `${app.origin}/auth/oidc/login${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`,
  );
  expect(start.status).toBe(303);
  const atProvider = await c.request(start.headers.get('location')!);
  expect(atProvider.status).toBe(302);
  const res = await c.request(atProvider.headers.get('location')!);
  return { c, res, body: await res.text() };
}

describe('single sign-on refuses forged and misdirected proofs (control 6)', () => {
  beforeAll(async () => {
    home = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-oidc-attacks-')), 'home');
    const port = await freePort();
    rogue = await startRogueIssuer({ redirectUri: `http://127.0.0.1:${port}/auth/oidc/callback` });
    app = await oidcApp({
      port,
      home,
      oidc: {
        issuer: rogue.issuer,
        clientId: rogue.clientId,
        clientSecret: new SecretValue(rogue.clientSecret),
      },
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await rogue?.close();
    fs.rmSync(path.dirname(home), { recursive: true, force: true });
  });

  beforeEach(() => {
    rogue.mode = 'honest';
    rogue.discoveryIssuer = undefined;
  });

  it('signs in when the provider behaves (so each refusal below is caused by its one change)', async () => {
    const { c, res } = await attempt();
    expect(res.status).toBe(303);
    expect(c.cookie(app.origin, SESSION)).toBeTruthy();
    const me = (await (await c.request(`${app.origin}/api/auth/me`)).json()) as { user: string };
    expect(me.user).toBe('mallory');
    // The code was redeemed once, with the PKCE verifier of its challenge and the exact redirect URI.
    expect(rogue.redemptions.at(-1)).toEqual({
      code: expect.any(String),
      pkce: true,
      redirectUri: `${app.origin}/auth/oidc/callback`,
    });
  });

  const refusals: [RogueMode, number, string][] = [
    ['wrong_nonce', 401, 'nonce_mismatch'],
    ['no_nonce', 401, 'nonce_mismatch'],
    ['alg_none', 401, 'algorithm_refused'],
    ['hs256', 401, 'algorithm_refused'],
    ['foreign_key', 401, 'signature_invalid'],
    ['wrong_audience', 401, 'audience_mismatch'],
    ['extra_audience', 401, 'audience_mismatch'],
    ['other_issuer', 401, 'issuer_mismatch'],
    ['iss_parameter', 401, 'issuer_mismatch'],
    ['expired', 401, 'token_expired'],
    ['not_yet_valid', 401, 'token_expired'],
  ];

  it.each(refusals)('refuses %s with %i (%s), and no session is made', async (mode, status, reason) => {
    rogue.mode = mode;
    const { c, res, body } = await attempt();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(body).toContain(`data-reason="${reason}"`);
    expect(c.cookie(app.origin, SESSION)).toBeUndefined();
    const audited = app.t.audit.list({ limit: 1 })[0]!;
    expect(audited).toMatchObject({ action: 'login_failed', actor: 'anonymous', target: `oidc:${reason}` });
  });

  it('never made an account or an identity for any refused proof', () => {
    expect(app.accounts.list().map((a) => a.name)).toEqual(['mallory']);
    expect(new OidcIdentities(home).list()).toHaveLength(1);
  });

  it('refuses a provider whose discovery document names another issuer', async () => {
    // A fresh app (discovery is cached once it succeeds): its first sign-in meets the forged document.
    const port = await freePort();
    const r2 = await startRogueIssuer({ redirectUri: `http://127.0.0.1:${port}/auth/oidc/callback` });
    r2.discoveryIssuer = 'https://accounts.example.com';
    const home2 = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-oidc-disc-'));
    const a2 = await oidcApp({
      port,
      home: home2,
      oidc: { issuer: r2.issuer, clientId: r2.clientId, clientSecret: new SecretValue(r2.clientSecret) },
    });
    try {
      const res = await fetch(`${a2.origin}/auth/oidc/login`, { redirect: 'manual' });
      expect(res.status).toBe(502);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('data-reason="provider_unreachable"');
    } finally {
      await a2.close();
      await r2.close();
      fs.rmSync(home2, { recursive: true, force: true });
    }
  });

  it('never logs a code, an ID token or the client secret', async () => {
    rogue.mode = 'wrong_nonce';
    await attempt();
    const logs = app.logs();
    expect(logs).not.toContain(rogue.clientSecret);
    for (const r of rogue.redemptions) expect(logs).not.toContain(r.code);
    expect(logs).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(JSON.stringify(app.t.audit.list({ limit: 500 }))).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});

describe('single sign-on under HTTPS (behind a trusted TLS proxy)', () => {
  it('uses __Host- cookies, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, for the sign-in state and the session', async () => {
    const h = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-oidc-tls-')), 'home');
    const publicCallback = 'https://tidy.example.org/auth/oidc/callback';
    const r = await startRogueIssuer({ redirectUri: publicCallback });
    const a = await oidcApp({
      port: await freePort(),
      home: h,
      oidc: {
        issuer: r.issuer,
        clientId: r.clientId,
        clientSecret: new SecretValue(r.clientSecret),
        redirectUrl: publicCallback,
      },
      extra: { trustProxy: '127.0.0.1', allowedHosts: ['tidy.example.org'] },
    });
    // What the proxy forwards: the public host name, and that the client spoke HTTPS.
    const proxied = { host: 'tidy.example.org', 'x-forwarded-proto': 'https' };
    const attributes = (line: string) =>
      line
        .split(';')
        .slice(1)
        .map((x) => x.trim().toLowerCase());
    try {
      const start = await a.t.app.inject({ url: '/auth/oidc/login', headers: proxied });
      expect(start.statusCode).toBe(303);
      const state = [start.headers['set-cookie']]
        .flat()
        .find((l) => l!.startsWith('__Host-tidyvault-oidc='))!;
      expect(attributes(state)).toEqual(
        expect.arrayContaining(['path=/', 'httponly', 'secure', 'samesite=lax', 'max-age=600']),
      );
      expect(state.toLowerCase()).not.toContain('domain=');
      const back = new URL(
        (await fetch(start.headers.location as string, { redirect: 'manual' })).headers.get('location')!,
      );
      expect(back.origin).toBe('https://tidy.example.org');
      const cb = await a.t.app.inject({
        url: `${back.pathname}${back.search}`,
        headers: { ...proxied, cookie: state.split(';')[0]! },
      });
      expect(cb.statusCode).toBe(303);
      const cookies = [cb.headers['set-cookie']].flat() as string[];
      const session = cookies.find((l) => l.startsWith('__Host-tidyvault-sid='))!;
      expect(attributes(session)).toEqual(
        expect.arrayContaining(['path=/', 'httponly', 'secure', 'samesite=lax']),
      );
      expect(session.toLowerCase()).not.toContain('domain=');
      // The sign-in state cookie is cleared by the callback.
      expect(cookies.find((l) => l.startsWith('__Host-tidyvault-oidc='))).toMatch(
        /Expires=Thu, 01 Jan 1970|Max-Age=0/,
      );
      // HTTPS everywhere from then on, as on every answer under TLS.
      expect(cb.headers['strict-transport-security']).toBeDefined();
    } finally {
      await a.close();
      await r.close();
      fs.rmSync(path.dirname(h), { recursive: true, force: true });
    }
  });
});
