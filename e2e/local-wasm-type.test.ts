import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch } from './browser.js';
import { serveStatic, type StaticServer } from './engine-wasm-server.js';

const DIST_LOCAL = path.join(import.meta.dirname, '..', 'packages', 'web', 'dist-local');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-e2e-wasm-type-'));
const CSV = path.join(dir, 'people.csv');
fs.writeFileSync(CSV, 'name\nAda\n');

let srv: StaticServer;
let browser: Browser;

describe('local mode on a static host that sends .wasm with the wrong type', () => {
  beforeAll(async () => {
    srv = await serveStatic(DIST_LOCAL, { '.wasm': 'application/octet-stream' });
    browser = await launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says what the host must change instead of waiting forever', async () => {
    const page = await browser.newPage();
    await page.goto(`${srv.origin}/`);
    await page.getByRole('heading', { name: 'Open a file' }).waitFor();
    await page.getByTestId('file-input').setInputFiles(CSV);
    const error = page.getByTestId('upload-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toMatch(/must send \.wasm files as application\/wasm/);
    expect(srv.served.some((r) => r.startsWith('HEAD ') && r.endsWith('.wasm'))).toBe(true);
    await page.close();
  });
});
