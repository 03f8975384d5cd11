#!/usr/bin/env node
// W1 cleaning benchmark: tidyvault vs the hand-written DuckDB SQL vs pandas vs the DuckDB floor.
//
// Usage: node bench/run.mjs [--rows 1000000,10000000] [--runs 3]
//                           [--only tidyvault,duckdb-sql,pandas,floor]
//                           [--keep-outputs] [--no-check] [--verbatim-peers] [--no-wait]
//                           [--retry-noisy 2]
//
// For each size N: generates bench/data/w1_<N>.csv with the peers' gen.mjs (default seed) if it
// is missing, then runs the tools round-robin (round r starts at tool r mod k, so no tool always
// goes first), measuring wall time (in the harness) and peak RSS (GNU time %M) of each child;
// checks every output for equivalence (bench/lib/canon.mjs) and writes
// bench/out/results-<date>.md and .json. See bench/BENCHMARKS.md.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { csvDigest } from './lib/canon.mjs';
import {
  OUT_DIR,
  PEERS_DIR,
  REPO,
  TIDYVAULT_CLEAN_FLAGS,
  TOOLS,
  ensureData,
  environment,
  environmentMarkdown,
  settings,
} from './lib/env.mjs';
import {
  checkTimeBinary,
  fmtMiB,
  fmtRatio,
  fmtSeconds,
  measure,
  median,
  resultBase,
  waitQuiet,
} from './lib/measure.mjs';

const TARGET_VS_DUCKDB = 1.25; // tidyvault / duckdb-sql must be <= this
const TARGET_VS_PANDAS = 5; // pandas / tidyvault must be >= this (DESIGN.md states 10)
const NOISY = 0.15; // a run during which other processes used more than this many CPUs is noisy

function parseArgs(argv) {
  const o = {
    rows: [1_000_000, 10_000_000],
    runs: 3,
    only: Object.keys(TOOLS),
    keep: false,
    check: true,
    waitQuiet: true,
    retryNoisy: 2,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--rows') o.rows = val().split(',').map(parseCount);
    else if (a === '--runs') o.runs = Number.parseInt(val(), 10);
    else if (a === '--only') o.only = val().split(',').filter(Boolean);
    else if (a === '--keep-outputs') o.keep = true;
    else if (a === '--no-check') o.check = false;
    else if (a === '--verbatim-peers') settings.verbatimPeers = true;
    else if (a === '--no-wait') o.waitQuiet = false;
    else if (a === '--retry-noisy') o.retryNoisy = Number.parseInt(val(), 10);
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) usage('--runs must be a positive integer');
  if (!Number.isInteger(o.retryNoisy) || o.retryNoisy < 0) usage('--retry-noisy must be a whole number');
  for (const t of o.only) if (!TOOLS[t]) usage(`unknown tool ${t} (known: ${Object.keys(TOOLS).join(', ')})`);
  return o;
}

function parseCount(s) {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) usage(`bad row count ${s}`);
  const n = Math.round(Number(m[1]) * (m[2] === '' ? 1 : /k/i.test(m[2]) ? 1e3 : 1e6));
  if (n < 1) usage(`bad row count ${s}`);
  return n;
}

function usage(msg) {
  if (msg) console.error(msg);
  console.error(
    'usage: node bench/run.mjs [--rows 1000000,10000000] [--runs 3] [--only tidyvault,duckdb-sql,pandas,floor] [--keep-outputs] [--no-check] [--verbatim-peers] [--no-wait] [--retry-noisy 2]',
  );
  process.exit(msg ? 2 : 0);
}

const log = (m) => process.stderr.write(`${m}\n`);
// CPUs' worth of work done by other processes during a run (0.50 = half a core on average)
const fmtLoad = (x) =>
  Number.isFinite(x) ? `${Math.max(0, x).toFixed(2)} CPU${x > NOISY ? ' (noisy)' : ''}` : '—';
const rel = (p) => path.relative(REPO, p);
const short = (n) =>
  n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n % 1000 === 0 ? `${n / 1000}k` : String(n);

/** Digest of the input (for the floor check), cached next to it keyed by size and mtime. */
async function inputDigest(file) {
  const st = fs.statSync(file);
  const cache = `${file}.digest.json`;
  try {
    const c = JSON.parse(fs.readFileSync(cache, 'utf8'));
    if (c.size === st.size && c.mtimeMs === st.mtimeMs) return c.digest;
  } catch {
    // no cache
  }
  log(`checksumming input ${rel(file)} …`);
  const digest = await csvDigest(file);
  fs.writeFileSync(cache, JSON.stringify({ size: st.size, mtimeMs: st.mtimeMs, digest }));
  return digest;
}

async function rawSha(file) {
  const h = createHash('sha256');
  for await (const b of fs.createReadStream(file, { highWaterMark: 4 << 20 })) h.update(b);
  return h.digest('hex').slice(0, 16);
}

async function benchSize(rows, tools, opts) {
  const input = ensureData(rows);
  const inputBytes = fs.statSync(input).size;
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const outFile = (t) => path.join(OUT_DIR, `w1_${rows}.${t}.csv`);
  const runs = Object.fromEntries(tools.map((t) => [t, []]));
  const digests = Object.fromEntries(tools.map((t) => [t, new Map()])); // raw sha -> digest
  const discarded = []; // runs thrown away because other processes competed for the CPUs
  for (let r = 0; r < opts.runs; r++) {
    const order = tools.map((_, k) => tools[(k + r) % tools.length]);
    for (const t of order) {
      const out = outFile(t);
      const argv = TOOLS[t].argv(input, out);
      let m;
      let quiet;
      for (let attempt = 0; ; attempt++) {
        fs.rmSync(out, { force: true });
        quiet = opts.waitQuiet ? await waitQuiet({ log }) : undefined;
        m = await measure(argv[0], argv.slice(1), { cwd: REPO });
        const load = m.otherCpu / m.wall;
        if (!m.ok || !(load > NOISY) || attempt >= opts.retryNoisy) break;
        log(
          `[${short(rows)}] round ${r + 1}/${opts.runs} ${t}: ${fmtSeconds(m.wall)} s discarded, other processes used ${load.toFixed(2)} CPU meanwhile; running it again`,
        );
        discarded.push({ tool: t, round: r + 1, wall: m.wall, otherLoad: load });
      }
      const run = {
        round: r + 1,
        ok: m.ok,
        wall: m.wall,
        maxRssKiB: m.maxRssKiB,
        user: m.user,
        sys: m.sys,
        otherCpu: m.otherCpu,
        busyBefore: quiet?.busy,
        waited: quiet?.waited,
      };
      if (!m.ok) {
        run.error = `exit ${m.code ?? m.signal}${m.error ? ` (${m.error})` : ''}: ${m.stderrTail.trim().split('\n').slice(-5).join(' | ')}`;
      } else if (!fs.existsSync(out)) {
        run.ok = false;
        run.error = 'exited 0 but wrote no output';
      } else if (opts.check) {
        const raw = await rawSha(out);
        let d = digests[t].get(raw);
        if (!d) {
          d = await csvDigest(out);
          digests[t].set(raw, d);
        }
        run.digest = d;
      }
      runs[t].push(run);
      log(
        `[${short(rows)}] round ${r + 1}/${opts.runs} ${t.padEnd(10)} ${run.ok ? `${fmtSeconds(m.wall).padStart(6)} s  ${fmtMiB(m.maxRssKiB).padStart(6)} MiB  cpu ${fmtSeconds(m.user + m.sys)} s  other ${fmtSeconds(m.otherCpu)} s` : `FAILED ${run.error}`}${run.digest ? `  rows=${run.digest.rows} canonical=${run.digest.canonical}` : ''}`,
      );
    }
  }

  // equivalence
  const check = { performed: opts.check, agree: true, notes: [] };
  if (opts.check) {
    const floorIn = tools.includes('floor') ? await inputDigest(input) : undefined;
    const ref = ['duckdb-sql', 'pandas', 'tidyvault'].find((t) => runs[t]?.some((x) => x.digest));
    const refD = ref && runs[ref].find((x) => x.digest).digest;
    for (const t of tools) {
      for (const x of runs[t]) {
        if (!x.digest) continue;
        const want = t === 'floor' ? floorIn : refD;
        const against = t === 'floor' ? 'the input' : ref;
        x.equivalent = x.digest.rows === want.rows && x.digest.canonical === want.canonical;
        x.sameOrder = t === 'floor' ? undefined : x.digest.ordered === want.ordered;
        if (!x.equivalent) {
          check.agree = false;
          check.notes.push(
            `${t} round ${x.round}: rows=${x.digest.rows} canonical=${x.digest.canonical} differs from ${against} (rows=${want.rows} canonical=${want.canonical})`,
          );
        } else if (x.sameOrder === false) {
          check.agree = false;
          check.notes.push(`${t} round ${x.round}: same rows as ${ref} but in a different order`);
        }
      }
    }
    check.reference = ref;
    check.reference_digest = refD;
  }

  const summary = {};
  for (const t of tools) {
    const ok = runs[t].filter((x) => x.ok);
    summary[t] = {
      runs: runs[t].length,
      ok: ok.length,
      medianWall: median(ok.map((x) => x.wall)),
      minWall: Math.min(...ok.map((x) => x.wall)),
      maxWall: Math.max(...ok.map((x) => x.wall)),
      medianRssKiB: median(ok.map((x) => x.maxRssKiB)),
      maxRssKiB: Math.max(...ok.map((x) => x.maxRssKiB)),
      medianCpu: median(ok.map((x) => x.user + x.sys)),
      maxOtherLoad: Math.max(...ok.map((x) => x.otherCpu / x.wall)),
      equivalent:
        opts.check && ok.length > 0 ? ok.every((x) => x.equivalent && x.sameOrder !== false) : undefined,
    };
  }
  const w = (t) => summary[t]?.medianWall;
  const ratios = {
    tidyvault_vs_duckdb: w('tidyvault') / w('duckdb-sql'),
    pandas_vs_tidyvault: w('pandas') / w('tidyvault'),
    duckdb_vs_floor: w('duckdb-sql') / w('floor'),
    tidyvault_vs_floor: w('tidyvault') / w('floor'),
    pandas_vs_duckdb: w('pandas') / w('duckdb-sql'),
  };
  if (!opts.keep) {
    const mismatched = new Set(tools.filter((t) => summary[t].equivalent === false));
    for (const t of tools) if (!mismatched.has(t)) fs.rmSync(outFile(t), { force: true });
    if (mismatched.size)
      log(`kept mismatching outputs: ${[...mismatched].map((t) => rel(outFile(t))).join(', ')}`);
  }
  return { rows, input: rel(input), inputBytes, runs, discarded, summary, ratios, check };
}

function markdown(env, opts, results, skipped) {
  const L = [];
  L.push(`# W1 benchmark results — ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`, '');
  L.push(environmentMarkdown(env));
  L.push(
    `- runs: ${opts.runs} per tool and size, interleaved round-robin; wall = median of the runs (min–max), peak RSS = median of GNU time \`%M\`; other load = CPU used by other processes during a run / its wall time (from /proc/stat), worst run${opts.waitQuiet ? '; each run waited for a quiet machine (< 15% busy)' : ''}; a run during which other processes used > ${NOISY} CPU was discarded and re-run (at most ${opts.retryNoisy} times)`,
    `- tidyvault: \`tidyvault clean IN --recipe fixtures/w1/recipe.json -o OUT ${TIDYVAULT_CLEAN_FLAGS.join(' ')}\`; peers from \`${PEERS_DIR}\`${settings.verbatimPeers ? ' (their .mjs run verbatim through a resolve hook)' : ' (DuckDB ones through bench/peers/)'}`,
  );
  if (env.loadavgEnd) L.push(`- load average at end: ${env.loadavgEnd.join(' / ')}`);
  for (const [t, why] of skipped) L.push(`- **${t} not measured**: ${why}`);
  L.push('');
  for (const r of results) {
    L.push(`## ${short(r.rows)} rows (${r.input}, ${(r.inputBytes / 2 ** 20).toFixed(0)} MiB)`, '');
    L.push(
      '| tool | wall s (median) | min–max | peak RSS MiB | CPU s (user+sys) | other load (max) | ok runs | output equivalent |',
    );
    L.push('|---|---|---|---|---|---|---|---|');
    for (const [t, s] of Object.entries(r.summary)) {
      const eq = s.equivalent === undefined ? 'not checked' : s.equivalent ? 'yes' : '**NO**';
      L.push(
        `| ${t} | ${fmtSeconds(s.medianWall)} | ${s.ok ? `${fmtSeconds(s.minWall)}–${fmtSeconds(s.maxWall)}` : '—'} | ${fmtMiB(s.medianRssKiB)} | ${fmtSeconds(s.medianCpu)} | ${fmtLoad(s.maxOtherLoad)} | ${s.ok}/${s.runs} | ${eq} |`,
      );
    }
    L.push('');
    const x = r.ratios;
    const verdict = (ok) => (ok === undefined ? '' : ok ? ' — **meets target**' : ' — **misses target**');
    // a speed verdict only counts when tidyvault's output is right
    const tvWrong = r.summary.tidyvault?.equivalent === false;
    const judge = (ratio, ok) =>
      !Number.isFinite(ratio) ? '' : tvWrong ? ' — not judged: tidyvault output differs' : verdict(ok(ratio));
    L.push(
      `- tidyvault / duckdb-sql: ${fmtRatio(x.tidyvault_vs_duckdb)} (target ≤ ${TARGET_VS_DUCKDB}×)${judge(x.tidyvault_vs_duckdb, (v) => v <= TARGET_VS_DUCKDB)}`,
    );
    L.push(
      `- pandas / tidyvault: ${fmtRatio(x.pandas_vs_tidyvault)} (target ≥ ${TARGET_VS_PANDAS}×; DESIGN.md says ≥ 10×)${judge(x.pandas_vs_tidyvault, (v) => v >= TARGET_VS_PANDAS)}`,
    );
    L.push(
      `- duckdb-sql / floor: ${fmtRatio(x.duckdb_vs_floor)}; tidyvault / floor: ${fmtRatio(x.tidyvault_vs_floor)}; pandas / duckdb-sql: ${fmtRatio(x.pandas_vs_duckdb)}`,
    );
    if (r.check.performed) {
      const d = r.check.reference_digest;
      L.push(
        `- equivalence: ${r.check.agree ? 'all outputs agree' : '**MISMATCH**'}${d ? ` (reference ${r.check.reference}: rows=${d.rows} canonical=${d.canonical} ordered=${d.ordered})` : ''}${r.summary.floor ? '; the floor output is compared with the input' : ''}`,
      );
      for (const n of r.check.notes) L.push(`  - ${n}`);
    }
    if (r.discarded.length) {
      L.push(
        `- discarded as noisy and re-run: ${r.discarded.map((d) => `${d.tool} round ${d.round} (${fmtSeconds(d.wall)} s, other load ${d.otherLoad.toFixed(2)} CPU)`).join('; ')}`,
      );
    }
    const failures = Object.entries(r.runs).flatMap(([t, rs]) =>
      rs.filter((y) => !y.ok).map((y) => `${t} round ${y.round}: ${y.error}`),
    );
    for (const f of failures) L.push(`- failed: ${f}`);
    L.push('');
  }
  return L.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  checkTimeBinary();
  const skipped = [];
  const tools = [];
  for (const t of opts.only) {
    const a = TOOLS[t].available();
    if (a === true) tools.push(t);
    else {
      skipped.push([t, a]);
      log(`skipping ${t}: ${a}`);
    }
  }
  if (tools.length === 0) throw new Error('no tool to run');
  const env = environment();
  log(`tools: ${tools.join(', ')}; sizes: ${opts.rows.map(short).join(', ')}; runs: ${opts.runs}`);
  const results = [];
  for (const rows of opts.rows) results.push(await benchSize(rows, tools, opts));
  env.loadavgEnd = (await import('node:os')).loadavg().map((v) => +v.toFixed(2));
  const md = markdown(env, opts, results, skipped);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const base = resultBase(OUT_DIR, 'results');
  fs.writeFileSync(`${base}.md`, `${md}\n`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify({ env, opts, skipped, results }, null, 2)}\n`);
  process.stdout.write(`${md}\n`);
  log(`wrote ${rel(base)}.md and .json`);
  const failed = results.some((r) => Object.values(r.summary).some((x) => x.ok < x.runs));
  if (failed || results.some((r) => r.check.performed && !r.check.agree)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
