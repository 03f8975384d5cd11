import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`, done by .ci/run); never a downloaded browser. */
export const CHROMIUM = process.env.TIDYVAULT_CHROMIUM ?? '/usr/bin/chromium';

export const SCREENSHOTS = path.join(import.meta.dirname, 'screenshots');

export async function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface Recorder {
  /** Every request the page made (URL), in order. */
  requests: string[];
  /** Requests to anything but the app's origin (including websockets). */
  foreign: () => string[];
  /** Content-Security-Policy violations the page reported. */
  cspViolations: string[];
  /** Uncaught page errors and console errors (a refused API request is the app's to explain, not one). */
  errors: string[];
  /** Anything but the API that answered with an error status (a missing script, style, icon). */
  failedAssets: string[];
}

/**
 * Records every request and CSP violation of a page. The listener is added through the
 * DevTools protocol before any page script runs, so it is not an inline script for the CSP.
 */
export async function record(context: BrowserContext, page: Page, origin: string): Promise<Recorder> {
  const r: Recorder = {
    requests: [],
    cspViolations: [],
    errors: [],
    failedAssets: [],
    foreign: () =>
      r.requests.filter(
        (u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'),
      ),
  };
  context.on('request', (req) => r.requests.push(req.url()));
  page.on('websocket', (ws) => r.requests.push(ws.url()));
  page.on('pageerror', (e) => r.errors.push(e.message));
  page.on('response', (res) => {
    if (res.status() >= 400 && !new URL(res.url()).pathname.startsWith('/api/'))
      r.failedAssets.push(res.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource:')) r.errors.push(m.text());
    if (m.text().includes('Content Security Policy') || m.text().startsWith('CSP-VIOLATION'))
      r.cspViolations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.warn(`CSP-VIOLATION ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return r;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/** A new browser context signed in to `origin` with a local account (serve --auth local), recording. */
export async function signInWithPassword(
  browser: Browser,
  origin: string,
  name: string,
  password: string,
): Promise<{ page: Page; rec: Recorder }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const rec = await record(context, page, origin);
  await page.goto(`${origin}/`);
  const form = page.getByTestId('sign-in');
  await form.getByLabel('User name').fill(name);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await form.waitFor({ state: 'detached' });
  return { page, rec };
}

/** What the page's origin holds in every browser store a script can reach. */
export function browserStorage(page: Page) {
  return page.evaluate(async () => {
    const opfs = await navigator.storage.getDirectory();
    const entries: string[] = [];
    for await (const name of (opfs as unknown as { keys(): AsyncIterable<string> }).keys())
      entries.push(name);
    return {
      localStorage: localStorage.length,
      sessionStorage: sessionStorage.length,
      indexedDB: (await indexedDB.databases()).map((d) => d.name),
      caches: await caches.keys(),
      opfs: entries,
      cookies: document.cookie,
    };
  });
}

export const EMPTY_STORAGE = {
  localStorage: 0,
  sessionStorage: 0,
  indexedDB: [],
  caches: [],
  opfs: [],
  cookies: '',
};
