#!/usr/bin/env node
/* global document, MutationObserver, requestAnimationFrame, window */
// Local mode (issue 6, "Targets"): the W1 file opened, cleaned and exported inside headless
// Chromium by DuckDB-WASM, side by side with the native CLI on the same machine and file.
//
// Usage: node bench/local.mjs [--rows 1M] [--runs 3] [--no-wait] [--trace] [--steps] [--pick-after MS] [--tree DIR]
//
// Each run: `tidyvault serve --local-only` (the static local build, no API), a fresh browser
// context, then as a person would:
//   load      — the W1 file picked in the file dialog: from the input's change event until the
//               grid's first rows are drawn and the profile's suggestions are shown (target < 5 s)
//   recipe    — fixtures/w1/recipe.json replayed (Recipe panel), then Export as CSV with the
//               formula guard off: from picking the recipe until the download has finished
//   browser   — load + recipe: the whole job in the tab
//   cli       — `tidyvault clean <file> --recipe fixtures/w1/recipe.json -o out.csv
//               --no-formula-guard --quiet`, the native engine, measured in the same run
//   steps     — (--steps, after load) two one-step changes as a person makes them, each from
//               loading its recipe until the refreshed profile is shown: change-case lower on
//               email (a column of ~1M distinct values), then fill-null on category
// --pick-after MS: the file is picked MS after the Open screen shows (default 0: at once), as a
//               person who takes that long to pick it; DuckDB-WASM starts when the screen shows
// --tree DIR: serve and run the CLI of a snapshot (bench/server/snapshot.sh, then in it: npm run
//               build -w @tidyvault/engine-wasm, and in packages/web: npx vite build && npx vite
//               build --mode local-only --outDir dist-local)
// Target: browser / cli ≤ 3 (medians). The browser's CSV must equal the CLI's byte for byte.
// Results: bench/out/local-<date>.md and .json.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CLI, OUT_DIR, RECIPE, REPO, ensureData, environment, environmentMarkdown } from './lib/env.mjs';
import { median, resultBase, waitQuiet } from './lib/measure.mjs';

const CHROMIUM = process.env.TIDYVAULT_CHROMIUM ?? '/usr/bin/chromium';
const TARGET_LOAD_MS = 5000;
const TARGET_RATIO = 3;
const log = (m) => process.stderr.write(`${m}\n`);

function parseArgs(argv) {
  const o = {
    rows: 1_000_000,
    runs: 3,
    wait: true,
    trace: false,
    steps: false,
    pickAfter: 0,
    tree: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rows') o.rows = Number((argv[++i] ?? '').replace(/k$/i, '000').replace(/M$/i, '000000'));
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--no-wait') o.wait = false;
    else if (a === '--trace') o.trace = true;
    else if (a === '--steps') o.steps = true;
    else if (a === '--pick-after') o.pickAfter = Number(argv[++i]);
    else if (a === '--tree') o.tree = path.resolve(argv[++i] ?? '.');
    else {
      log(
        'usage: node bench/local.mjs [--rows 1M] [--runs 3] [--no-wait] [--trace] [--steps] [--pick-after MS] [--tree DIR]',
      );
      process.exit(a === '--help' || a === '-h' ? 0 : 2);
    }
  }
  return o;
}

async function serveLocalOnly() {
  const child = spawn(process.execPath, [cli(), 'serve', '--local-only', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const origin = await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const m = /serving at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve --local-only exited with ${code}`)));
  });
  return { origin, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) };
}

async function browserRun(browser, origin, file, tmp) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  // --trace: the page's console (timings logged while investigating), with ms since the start.
  const start = Date.now();
  if (o.trace) page.on('console', (m) => log(`  page +${Date.now() - start} ms: ${m.text()}`));
  const foreign = [];
  context.on('request', (r) => {
    if (!r.url().startsWith(origin)) foreign.push(r.url());
  });
  try {
    await page.goto(`${origin}/`);
    const input = page.getByTestId('file-input');
    await input.waitFor({ state: 'attached' });
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid="file-input"]');
      el.addEventListener('change', () => (window.__picked = performance.now()), { once: true });
    });
    if (o.pickAfter > 0) await page.waitForTimeout(o.pickAfter);
    await input.setInputFiles(file);
    await page.waitForFunction(
      () => /@0$/.test(document.querySelector('[data-testid="grid"]')?.dataset.loaded ?? ''),
      null,
      {
        timeout: 600_000,
        polling: 20,
      },
    );
    await page.getByTestId('suggestions').locator('li').first().waitFor({ timeout: 600_000 });
    const load = await page.evaluate(
      () => new Promise((res) => requestAnimationFrame(() => res(performance.now() - window.__picked))),
    );
    const steps = o.steps ? await stepProfiles(page, tmp) : undefined;

    const t0 = Date.now();
    if (o.trace) log(`  bench +${t0 - start} ms: recipe picked`);
    await page.getByTestId('recipe-file').setInputFiles(RECIPE);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="step"]').length === 10, null, {
      timeout: 600_000,
    });
    if (o.trace) log(`  bench +${Date.now() - start} ms: ten steps shown, export asked`);
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByLabel('Formula guard').uncheck();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 600_000 }),
      dialog.getByTestId('download').click(),
    ]);
    const out = path.join(tmp, `browser-${Date.now()}.csv`);
    if (o.trace) log(`  bench +${Date.now() - start} ms: download started`);
    // The user's wait ends when the browser has saved the file; the copy for the comparison is not timed.
    const saved = await download.path();
    if (o.trace) log(`  bench +${Date.now() - start} ms: download saved`);
    const recipe = Date.now() - t0;
    fs.copyFileSync(saved, out);
    return { load, recipe, out, foreign, steps };
  } finally {
    await context.close();
  }
}

/** One-step changes after the load: from loading each recipe until the refreshed profile is shown. */
async function stepProfiles(page, tmp) {
  const email = { op: 'change-case', columns: ['email'], case: 'lower' };
  const category = { op: 'fill-null', columns: ['category'], strategy: 'value', value: 'unknown' };
  const out = [];
  for (const steps of [[email], [email, category]]) {
    const file = path.join(tmp, `steps-${steps.length}.json`);
    fs.writeFileSync(file, JSON.stringify({ version: 1, steps }));
    // The panel says "Profiling the columns…" from when the new rows are shown until the profile
    // arrives: the time is taken when that text goes.
    await page.evaluate(() => {
      window.__profiled = undefined;
      window.__paged = undefined;
      window.__asked = performance.now();
      // The first page of the new state drawn: the grid's data-loaded says which view's page came.
      const grid = document.querySelector('[data-testid="grid"]');
      const before = grid?.dataset.loaded;
      const pages = new MutationObserver(() => {
        const now = grid?.dataset.loaded ?? '';
        if (now !== before && now.endsWith('@0')) {
          window.__paged = performance.now() - window.__asked;
          pages.disconnect();
        }
      });
      if (grid) pages.observe(grid, { attributes: true, attributeFilter: ['data-loaded'] });
      let profiling = false;
      const observer = new MutationObserver(() => {
        const now = (document.querySelector('[data-testid="suggestions"]')?.textContent ?? '').includes(
          'Profiling the columns',
        );
        if (profiling && !now) {
          window.__profiled = performance.now() - window.__asked;
          observer.disconnect();
        }
        profiling = now;
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('recipe-file').setInputFiles(file);
    await page.waitForFunction(() => window.__profiled !== undefined, null, {
      timeout: 600_000,
      polling: 20,
    });
    out.push(await page.evaluate(() => ({ page: window.__paged, profile: window.__profiled })));
  }
  return out;
}

function cli() {
  return o.tree ? path.join(o.tree, 'packages/cli/dist/main.js') : CLI;
}

function cliRun(file, tmp) {
  const out = path.join(tmp, `cli-${Date.now()}.csv`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [
    cli(),
    'clean',
    file,
    '--recipe',
    RECIPE,
    '-o',
    out,
    '--no-formula-guard',
    '--quiet',
  ]);
  if (r.status !== 0) throw new Error(`tidyvault clean failed: ${r.stderr}`);
  return { ms: performance.now() - t0, out };
}

const o = parseArgs(process.argv.slice(2));
const file = ensureData(o.rows);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-bench-local-'));
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
const server = await serveLocalOnly();
const runs = [];
try {
  for (let i = 0; i < o.runs; i++) {
    if (o.wait) await waitQuiet({ log });
    // Interleaved: the browser first in even rounds, the CLI first in odd ones.
    const order = i % 2 === 0 ? ['browser', 'cli'] : ['cli', 'browser'];
    const r = {};
    for (const which of order) {
      if (which === 'browser') Object.assign(r, await browserRun(browser, server.origin, file, tmp));
      else r.cli = cliRun(file, tmp);
    }
    const same = fs.readFileSync(r.out).equals(fs.readFileSync(r.cli.out));
    const run = {
      load: r.load,
      recipe: r.recipe,
      browser: r.load + r.recipe,
      cli: r.cli.ms,
      steps: r.steps,
      same,
      foreign: r.foreign,
    };
    if (same) {
      fs.rmSync(r.out, { force: true });
      fs.rmSync(r.cli.out, { force: true });
    } else {
      const kept = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-bench-local-differ-'));
      fs.renameSync(r.out, path.join(kept, 'browser.csv'));
      fs.renameSync(r.cli.out, path.join(kept, 'cli.csv'));
      log(`outputs differ: both kept in ${kept} (browser.csv, cli.csv)`);
    }
    log(
      `run ${i + 1}/${o.runs}: load ${Math.round(run.load)} ms, recipe+export ${Math.round(run.recipe)} ms, browser ${Math.round(run.browser)} ms, cli ${Math.round(run.cli)} ms, same output: ${same}` +
        (run.steps
          ? `; after a step, first page / profile shown in ${run.steps.map((x) => `${Math.round(x.page)}/${Math.round(x.profile)}`).join(', ')} ms`
          : ''),
    );
    runs.push(run);
  }
} finally {
  await browser.close();
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
const m = (k) => median(runs.map((r) => r[k]));
const ratio = m('browser') / m('cli');
const env = environment();
const lines = [
  `# Local mode (DuckDB-WASM in Chromium) vs the native CLI — ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
  '',
  environmentMarkdown(env),
  `- input: ${path.relative(REPO, file)} (${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MiB); ${o.runs} runs, interleaved; browser: Chromium ${browser.version()} headless`,
  '',
  '| measurement | median | min–max | target | verdict |',
  '|---|---|---|---|---|',
  ...['load', 'recipe', 'browser', 'cli'].map((k) => {
    const xs = runs.map((r) => r[k]);
    const t = k === 'load' ? `< ${TARGET_LOAD_MS} ms` : '—';
    const v = k === 'load' ? (m(k) < TARGET_LOAD_MS ? 'meets target' : '**misses target**') : '—';
    return `| ${k} | ${Math.round(m(k))} ms | ${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))} ms | ${t} | ${v} |`;
  }),
  '',
  `- browser / cli (medians): **${ratio.toFixed(2)}×** (target ≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? 'meets target' : '**misses target**'})`,
  `- outputs identical (browser CSV vs CLI CSV, byte for byte): ${runs.every((r) => r.same) ? 'yes, every run' : '**no**'}`,
  `- requests to other origins: ${runs.flatMap((r) => r.foreign).length === 0 ? 'none' : runs.flatMap((r) => r.foreign).join(', ')}`,
  ...(o.steps
    ? [
        `- after the load, one step then another (change-case on email; fill-null on category), until the first page of the new rows was drawn / the refreshed profile was shown: ${runs.map((r) => r.steps.map((x) => `${Math.round(x.page)} / ${Math.round(x.profile)} ms`).join('; ')).join('; ')}`,
      ]
    : []),
  ...(o.pickAfter > 0
    ? [
        `- the file was picked ${o.pickAfter} ms after the Open screen showed (DuckDB-WASM starting meanwhile)`,
      ]
    : []),
  ...(o.tree ? [`- measured: the snapshot in ${o.tree}`] : []),
];
const base = resultBase(OUT_DIR, 'local');
fs.mkdirSync(OUT_DIR, { recursive: true });
fs.writeFileSync(`${base}.md`, lines.join('\n') + '\n');
fs.writeFileSync(`${base}.json`, JSON.stringify({ env, runs }, null, 2) + '\n');
process.stdout.write(lines.join('\n') + '\n');
log(`wrote ${path.relative(REPO, base)}.md and .json`);
