import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { NodeEngine } from '@tidyvault/engine-node';
import { buildApp, type TidyvaultApp } from '../../app.js';
import type { AuditLog } from '../../audit/log.js';
import type { ServerOptions } from '../../options.js';
import { Accounts } from '../accounts.js';
import type { OidcOptions } from './options.js';

/**
 * Test helpers for single sign-on: a real OpenID Provider (oidc-provider, provider-process.mjs)
 * in a child process on 127.0.0.1, and a small cookie-keeping HTTP client that signs in through
 * the provider's own pages the way a browser would (redirects, forms). Nothing is mocked.
 */

export interface ProviderAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Replace the accounts' claims (read by the provider at every token request). */
  setAccounts: (accounts: Record<string, ProviderAccount>) => void;
  /** The provider's stderr (its own warnings), for failure messages. */
  stderr: () => string;
  stop: () => Promise<void>;
}

const SCRIPT = path.join(import.meta.dirname, 'provider-process.mjs');

/** A free TCP port on 127.0.0.1 (for a server whose address must be known before it starts). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function startTestIdp(o: {
  redirectUris: string[];
  accounts: Record<string, ProviderAccount>;
  clientId?: string;
  clientSecret?: string;
  /** The issuer's host name (it listens on 127.0.0.1 whatever it is called). */
  issuerHost?: string;
}): Promise<TestIdp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-idp-'));
  const accountsFile = path.join(dir, 'accounts.json');
  const setAccounts = (a: Record<string, ProviderAccount>) =>
    fs.writeFileSync(accountsFile, JSON.stringify(a));
  setAccounts(o.accounts);
  const clientId = o.clientId ?? 'tidyvault-test';
  const clientSecret = o.clientSecret ?? `test-secret-${Math.random().toString(36).slice(2)}`;
  const child = spawn(
    process.execPath,
    [
      SCRIPT,
      JSON.stringify({
        clientId,
        clientSecret,
        redirectUris: o.redirectUris,
        accountsFile,
        ...(o.issuerHost ? { issuerHost: o.issuerHost } : {}),
      }),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the provider did not start: ${err}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /OIDC PROVIDER READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the provider exited with ${code}: ${err}`));
    });
  });
  return {
    issuer,
    clientId,
    clientSecret,
    setAccounts,
    stderr: () => err,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A cookie-keeping HTTP client (cookies per host:port), redirects followed by hand. */
export class CookieClient {
  private readonly jars = new Map<string, Map<string, string>>();

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(new URL(origin).host)?.get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    const host = new URL(origin).host;
    if (!this.jars.has(host)) this.jars.set(host, new Map());
    this.jars.get(host)!.set(name, value);
  }

  dropCookie(origin: string, name: string): void {
    this.jars.get(new URL(origin).host)?.delete(name);
  }

  /** One request; Set-Cookie kept (a Max-Age=0 or past Expires removes the cookie). */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const u = new URL(url);
    const jar = this.jars.get(u.host);
    const headers: Record<string, string> = {};
    if (jar && jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const gone = attrs.some(
        (a) =>
          /^\s*max-age=0\s*$/i.test(a) ||
          (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()),
      );
      if (gone || value === '') this.dropCookie(url, name);
      else this.setCookie(url, name, value);
    }
    return res;
  }

  /**
   * From a URL that redirects to the provider, through its sign-in page (`login`, any password)
   * and its consent page, to the redirect back to the relying party (not requested: returned,
   * so a test decides what to do with it).
   */
  async signInAtProvider(start: string, login: string, callbackPrefix: string): Promise<URL> {
    let url = start;
    for (let hops = 0; hops < 20; hops++) {
      if (url.startsWith(callbackPrefix)) return new URL(url);
      const res = await this.request(url);
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url).href;
        continue;
      }
      const html = await res.text();
      if (res.status !== 200) throw new Error(`${res.status} at ${url}: ${html.slice(0, 500)}`);
      const action = /<form[^>]*action="([^"]+)"[^>]*method="post"/i.exec(html)?.[1];
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      if (!action || !prompt) throw new Error(`no sign-in form at ${url}: ${html.slice(0, 500)}`);
      const form: Record<string, string> =
        prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt };
      const post = await this.request(new URL(action.replace(/&amp;/g, '&'), url).href, {
        method: 'POST',
        form,
      });
      if (post.status < 300 || post.status >= 400)
        throw new Error(`${post.status} posting ${prompt}: ${(await post.text()).slice(0, 500)}`);
      url = new URL(post.headers.get('location')!, url).href;
    }
    throw new Error('too many redirects at the provider');
  }
}

export interface OidcApp {
  t: TidyvaultApp;
  origin: string;
  home: string;
  accounts: Accounts;
  logs: () => string;
  close: () => Promise<void>;
}

/**
 * A real app (real DuckDB, real accounts files in `home`) in `auth: 'oidc'` mode, listening on
 * 127.0.0.1:`port` (the redirect URI registered at the provider names it).
 */
export async function oidcApp(o: {
  port: number;
  home: string;
  oidc: OidcOptions;
  audit?: AuditLog;
  /** Further app options (a trusted proxy, allowed hosts…). */
  extra?: Partial<ServerOptions>;
}): Promise<OidcApp> {
  const engine = await NodeEngine.open({ memoryLimit: '256MB', threads: 1 });
  const chunks: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const accounts = new Accounts(o.home);
  const t = await buildApp({
    engine,
    secretKey: randomBytes(32),
    logStream,
    webRoot: false,
    auth: 'oidc',
    accounts,
    oidc: o.oidc,
    ...(o.audit ? { audit: o.audit } : {}),
    ...o.extra,
  });
  await t.app.listen({ host: '127.0.0.1', port: o.port });
  return {
    t,
    origin: `http://127.0.0.1:${o.port}`,
    home: o.home,
    accounts,
    logs: () => chunks.join(''),
    close: async () => {
      await t.app.close();
      await engine.close();
    },
  };
}
