#!/usr/bin/env node
/* global requestAnimationFrame */
// Web workbench latency (issue 5, "Targets"), in headless Debian Chromium against a real server.
//
// Usage: node bench/web.mjs [--rows 1M] [--runs 3] [--no-wait]
//
// Each run: a fresh server (bench/server/child.mjs: what `tidyvault serve` runs, serving the
// built web app), a fresh browser context signed in with a login link, then as a person would:
//   upload     — the W1 file picked in the file dialog; from the click's upload start to the
//                POST /api/datasets answer (for context, not a target)
//   first-rows — from the upload's answer until the grid's first page has arrived and been
//                drawn (target < 3 s)
//   profile    — from the upload's answer until the profile has arrived (suggestions shown)
//   jump       — "Go to row 900000": from pressing Enter until both pages holding rows
//                899,800–900,199 have arrived and a frame was drawn (target < 500 ms)
//   step: …    — one-click steps from the column menu (STEPS below: trim, collapse whitespace,
//                sort, remove a column), one after another: from the click until the grid's first
//                page under the new recipe has arrived and been drawn (target < 1 s each)
// Times are measured in the page (performance.now() deltas around the network answers, as seen
// by the browser) so the harness's own latency does not count. Medians of the runs; the machine
// is shared, so each run waits for a quiet machine first and reports the CPU others used.
// Results: bench/out/web-<date>.md and .json.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BENCH_DIR, OUT_DIR, REPO, ensureData, environment, environmentMarkdown } from './lib/env.mjs';
import { cpuBusySeconds, median, resultBase, waitQuiet } from './lib/measure.mjs';

/** Steps applied from the column menu in one click: [column, menu item, name in the results]. */
const STEPS = [
  ['name', 'Trim whitespace', 'step: trim name'],
  ['notes', 'Collapse consecutive whitespace', 'step: collapse notes'],
  ['city', 'Sort rows A → Z / 0 → 9', 'step: sort by city'],
  ['notes', 'Remove this column', 'step: remove notes'],
];
const TARGETS = {
  'first-rows': 3000,
  jump: 500,
  ...Object.fromEntries(STEPS.map(([, , k]) => [k, 1000])),
};
const CHROMIUM = process.env.TIDYVAULT_CHROMIUM ?? '/usr/bin/chromium';
const log = (m) => process.stderr.write(`${m}\n`);

function parseArgs(argv) {
  const o = { rows: 1_000_000, runs: 3, wait: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rows') {
      const v = argv[++i] ?? '';
      o.rows = Number(v.replace(/k$/i, '000').replace(/M$/i, '000000'));
    } else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--no-wait') o.wait = false;
    else {
      log('usage: node bench/web.mjs [--rows 1M] [--runs 3] [--no-wait]');
      process.exit(a === '--help' || a === '-h' ? 0 : 2);
    }
  }
  return o;
}

async function startServer() {
  const child = fork(path.join(BENCH_DIR, 'server/child.mjs'), [], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let tail = '';
  child.stderr.on('data', (d) => (tail = (tail + d).slice(-2000)));
  const url = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${tail}`)));
  });
  const token = () =>
    new Promise((resolve) => {
      const on = (m) => {
        if (m?.type !== 'token') return;
        child.off('message', on);
        resolve(m.token);
      };
      child.on('message', on);
      child.send({ type: 'token' });
    });
  return { url, token, stop: () => new Promise((r) => (child.once('exit', r), child.disconnect())) };
}

/** performance.now() in the page when a response whose URL matches arrived, then one frame later. */
const drawnAfter = (page, test) =>
  page
    .waitForResponse((r) => test(r.url()) && r.status() === 200, { timeout: 120_000 })
    .then(async (r) => {
      await r.finished();
      return page.evaluate(() => new Promise((res) => requestAnimationFrame(() => res(performance.now()))));
    });

async function oneRun(browser, file) {
  const server = await startServer();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const foreign = [];
  context.on('request', (r) => {
    if (!r.url().startsWith(server.url)) foreign.push(r.url());
  });
  try {
    await page.goto(`${server.url}/auth/token?token=${encodeURIComponent(await server.token())}`);
    await page.getByTestId('file-input').waitFor({ state: 'attached' });
    const busy0 = cpuBusySeconds();
    const t0 = Date.now();
    const uploaded = page.waitForResponse(
      (r) => r.url().endsWith('/api/datasets') && r.request().method() === 'POST',
      {
        timeout: 600_000,
      },
    );
    const firstRows = drawnAfter(page, (u) => /\/rows\?offset=0&limit=200/.test(u));
    const profiled = drawnAfter(page, (u) => u.endsWith('/profile'));
    const start = await page.evaluate(() => performance.now());
    await page.getByTestId('file-input').setInputFiles(file);
    const up = await uploaded;
    if (up.status() !== 201) throw new Error(`upload answered ${up.status()}: ${await up.text()}`);
    const upAt = await page.evaluate(() => performance.now());
    const rowsAt = await firstRows;
    const profileAt = await profiled;
    await page.getByTestId('suggestions').locator('li').first().waitFor();

    const jumpPages = [
      drawnAfter(page, (u) => u.includes('/rows?offset=899800&')),
      drawnAfter(page, (u) => u.includes('/rows?offset=900000&')),
    ];
    await page.getByTestId('go-to-row').fill('900000');
    const jumpStart = await page.evaluate(() => performance.now());
    await page.getByTestId('go-to-row').press('Enter');
    const jumpAt = Math.max(...(await Promise.all(jumpPages)));

    const steps = {};
    for (const [column, label, key] of STEPS) {
      await page.getByTestId('column-picker').selectOption(column);
      const item = page.getByTestId('column-menu').getByRole('button', { name: label, exact: true });
      await item.waitFor();
      const stepPage = drawnAfter(page, (u) => /\/rows\?offset=0&limit=200/.test(u));
      const stepStart = await page.evaluate(() => performance.now());
      await item.click();
      steps[key] = (await stepPage) - stepStart;
    }
    const seconds = (Date.now() - t0) / 1000;
    // Everything's CPU, ours included: the server and Chromium do the work being timed.
    const busyCpu = (cpuBusySeconds() - busy0) / seconds;
    return {
      upload: upAt - start,
      'first-rows': rowsAt - upAt,
      profile: profileAt - upAt,
      jump: jumpAt - jumpStart,
      ...steps,
      foreign,
      busyCpu,
    };
  } finally {
    await context.close();
    await server.stop();
  }
}

const o = parseArgs(process.argv.slice(2));
if (!fs.existsSync(CHROMIUM)) {
  log(`${CHROMIUM} missing: apt-get install -y chromium`);
  process.exit(1);
}
const file = ensureData(o.rows);
const browser = await chromium.launch({
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
const runs = [];
try {
  for (let i = 0; i < o.runs; i++) {
    if (o.wait) await waitQuiet({ log });
    const r = await oneRun(browser, file);
    log(
      `run ${i + 1}/${o.runs}: ${Object.entries(r)
        .filter(([, v]) => typeof v === 'number')
        .map(([k, v]) => `${k} ${Math.round(v)} ms`)
        .join(', ')}`,
    );
    runs.push(r);
  }
} finally {
  await browser.close();
}
const env = environment();
const rowsOf = (k) => {
  const xs = runs.map((r) => r[k]);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
};
const names = ['upload', 'first-rows', 'profile', 'jump', ...STEPS.map(([, , k]) => k)];
const result = Object.fromEntries(names.map((k) => [k, rowsOf(k)]));
const foreign = runs.flatMap((r) => r.foreign);
const lines = [
  `# Web workbench latency — ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
  '',
  environmentMarkdown(env),
  `- input: ${path.relative(REPO, file)} (${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MiB, ${o.rows.toLocaleString('en')} rows); ${o.runs} runs, each on a fresh server and browser context; Chromium ${browser.version?.() ?? ''}`,
  '',
  '| measurement | median | min–max | target | verdict |',
  '|---|---|---|---|---|',
  ...names.map((k) => {
    const r = result[k];
    const t = TARGETS[k];
    return `| ${k} | ${Math.round(r.median)} ms | ${Math.round(r.min)}–${Math.round(r.max)} ms | ${t ? `< ${t} ms` : '—'} | ${t ? (r.median < t ? 'meets target' : '**misses target**') : '—'} |`;
  }),
  '',
  `- requests to other origins: ${foreign.length === 0 ? 'none' : foreign.join(', ')}`,
];
const base = resultBase(OUT_DIR, 'web');
fs.mkdirSync(OUT_DIR, { recursive: true });
fs.writeFileSync(`${base}.md`, lines.join('\n') + '\n');
fs.writeFileSync(`${base}.json`, JSON.stringify({ env, runs, result }, null, 2) + '\n');
process.stdout.write(lines.join('\n') + '\n');
log(`wrote ${path.relative(REPO, base)}.md and .json`);
