import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestIdp, type TestIdp } from '../packages/server/src/auth/oidc/test-idp.js';
import { launch, record, screenshot } from './browser.js';

/**
 * `tidyvault serve --auth oidc` (the built CLI) with a real OpenID Provider (oidc-provider in a
 * child process on 127.0.0.1): a person clicks "Sign in with Test IdP" in Chromium, signs in on
 * the provider's own pages, and lands in the workbench signed in, able to upload.
 */

const CLI = path.join(import.meta.dirname, '..', 'packages', 'cli', 'dist', 'main.js');
const MESSY = path.join(import.meta.dirname, 'fixtures', 'messy.csv');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-e2e-oidc-'));
const home = path.join(dir, 'home');

let idp: TestIdp;
let browser: Browser;
let origin: string;
let stop: () => Promise<void>;
let output = '';

/** The CLI on a port chosen first: the provider must know the redirect URI before it starts. */
async function serveOn(port: number, args: string[], env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 30 s: ${err}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /serving at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${err}`)));
  });
  stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
}

describe('the web workbench with single sign-on (serve --auth oidc)', () => {
  beforeAll(async () => {
    fs.mkdirSync(home, { mode: 0o700 });
    const port = await freePort();
    idp = await startTestIdp({
      redirectUris: [`http://127.0.0.1:${port}/auth/oidc/callback`],
      accounts: { 'erin-0042': { email: 'erin@example.com', email_verified: true, name: 'Erin Example' } },
      // Another host name than the workbench's, as a real provider has: signing out of the
      // workbench (Clear-Site-Data) must not be what ends the provider's session.
      issuerHost: 'localhost',
    });
    const secretFile = path.join(dir, 'oidc-secret');
    fs.writeFileSync(secretFile, `${idp.clientSecret}\n`, { mode: 0o600 });
    await serveOn(
      port,
      [
        '--auth',
        'oidc',
        '--oidc-issuer',
        idp.issuer,
        '--oidc-client-id',
        idp.clientId,
        '--oidc-client-secret-file',
        secretFile,
        '--oidc-provider-name',
        'Test IdP',
      ],
      { TIDYVAULT_HOME: home },
    );
    browser = await launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
    await idp?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("signs in through the provider's pages, lands in the workbench, and signs out of both", async () => {
    expect(output).toMatch(/Single sign-on: sign in at http:\/\/127\.0\.0\.1:\d+\//);
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const rec = await record(context, page, origin);
    // Nothing leaves this machine: anything not on loopback is refused before the network.
    const refused: string[] = [];
    await context.route(
      (u) => u.hostname !== '127.0.0.1' && u.hostname !== 'localhost',
      (route) => {
        refused.push(route.request().url());
        return route.abort();
      },
    );
    await page.goto(`${origin}/`);
    const button = page.getByRole('link', { name: 'Sign in with Test IdP' });
    await button.waitFor();
    await screenshot(page, 'oidc-01-sign-in');
    await button.click();
    // The provider's own sign-in page (oidc-provider's development pages).
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.locator('input[name="login"]').fill('erin-0042');
    await page.locator('input[name="password"]').fill('any password');
    await screenshot(page, 'oidc-02-provider');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    // Its consent page, then back to Tidyvault.
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((u) => u.origin === origin);
    await page.getByRole('heading', { name: 'Open a file' }).waitFor();
    expect(await page.getByTestId('sign-in').count()).toBe(0);
    // Signed in as the account made for this (issuer, subject): upload and see who owns it.
    await page.getByTestId('file-input').setInputFiles(MESSY);
    await expect
      .poll(() => page.getByTestId('grid').getAttribute('data-rows'), { timeout: 30_000 })
      .toBe('8');
    await expect.poll(() => page.getByTestId('protection').textContent()).toMatch(/owner: erin/);
    await screenshot(page, 'oidc-03-workbench');
    // The session cookie is not readable by scripts; the sign-in state cookie is gone.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    // (Cookies are per host, not port: the provider's own, on 127.0.0.1 too, are left aside.)
    const cookies = (await context.cookies(origin)).filter((c) => c.name.startsWith('tidyvault-'));
    expect(cookies.map((c) => c.name)).toEqual(['tidyvault-sid']);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    // Signing out ends the provider's session too: it asks, then the next sign-in needs the login.
    await page.getByRole('button', { name: /Sign out erin/ }).click();
    await page.getByTestId('sign-out-dialog').getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL((u) => u.origin === idp.issuer);
    await screenshot(page, 'oidc-04-provider-sign-out');
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForLoadState();
    await page.goto(`${origin}/`);
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.locator('input[name="login"]').waitFor();
    // Every request went to the workbench's origin, or (its own pages) to the provider's.
    expect(rec.foreign().filter((u) => !u.startsWith(`${idp.issuer}/`))).toEqual([]);
    expect(refused).toEqual([]);
    expect(rec.cspViolations).toEqual([]);
    await context.close();
  });
});
