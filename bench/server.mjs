#!/usr/bin/env node
/* global fetch */
// Server benchmark (issue 3, "Targets"; DESIGN.md "Performance targets", Server).
//
// Usage: node bench/server.mjs [--rows 1M[,10M]] [--runs 3] [--only upload,latency,sessions]
//                              [--pages 30] [--facets 10] [--profiles 5] [--budget-s 90]
//                              [--step-pages 2] [--quiet-timeout-s 120]
//                              [--sessions 50] [--label NAME] [--tree DIR] [--no-wait]
//
// Each measurement runs against a fresh server process (bench/server/child.mjs: what
// `tidyvault serve` runs, with its defaults), over HTTP on 127.0.0.1, with a real session
// (login link → cookie, CSRF header):
//   upload   — upload + load of bench/data/w1_<N>.csv (POST /api/datasets, the file streamed from
//              disk) vs DuckDB's own read of the same file (bench/server/duckdb-read.mjs:
//              CREATE TABLE t AS SELECT * FROM read_csv(file, all_varchar = true)), interleaved
//              round-robin, --runs each; ratio of the medians. Also the server's RSS before and
//              after the load (/proc/<pid>/status VmRSS) against the CSV's size.
//   latency  — on one loaded dataset: the W1 recipe (fixtures/w1/recipe.json) applied step by
//              step through POST /steps (timing each step, the first grid page after it and,
//              with --step-pages 2, a page at a random offset), then
//              grid pages at random offsets (1 in 4 within the last 1,000 rows), facets and
//              profiles, one request at a time as a user would: p50/p95 each.
//   sessions — the load test's flow (bench/server/load.mjs) with --sessions sessions at once.
// Before each measurement the harness waits for a quiet machine (< 15% of all CPUs busy, at most
// --quiet-timeout-s); during
// it, CPU used by other processes is measured (/proc/stat minus the server's, the harness's and
// the DuckDB child's CPU) and reported; > 0.15 CPU on average is marked noisy.
// --tree DIR measures the server built in DIR (a snapshot of one commit made by
// bench/server/snapshot.sh) instead of this working tree's packages.
// Results: bench/out/server-<date>[-label].md and .json. See bench/BENCHMARKS.md, "Server".
import { fork, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { BENCH_DIR, OUT_DIR, RECIPE, REPO, ensureData, environment } from './lib/env.mjs';
import { checkTimeBinary, cpuBusySeconds, measure, median, resultBase, waitQuiet } from './lib/measure.mjs';
import { login, newCanary, percentile, runLoad, sessionCsv } from './server/load.mjs';

const TARGET_LOAD_RATIO = 1.3;
const TARGET_RSS_RATIO = 2.5;
const TARGET_P95_MS = { 1_000_000: 150, 10_000_000: 500 };
const NOISY = 0.15;
const PHASES = ['upload', 'latency', 'sessions'];

const log = (m) => process.stderr.write(`${m}\n`);
const rel = (p) => path.relative(REPO, p);
const short = (n) =>
  n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n % 1000 === 0 ? `${n / 1000}k` : String(n);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseArgs(argv) {
  const o = {
    rows: [1_000_000],
    runs: 3,
    only: PHASES,
    pages: 30,
    stepPages: 2,
    stepProfiles: true,
    facets: 10,
    profiles: 5,
    budgetS: 90,
    sessions: 50,
    label: '',
    tree: undefined,
    waitQuiet: true,
    quietTimeoutS: 120,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    const int = () => {
      const n = Number.parseInt(val(), 10);
      if (!Number.isInteger(n) || n < 1) usage(`${a} needs a positive integer`);
      return n;
    };
    if (a === '--rows') o.rows = val().split(',').map(parseCount);
    else if (a === '--runs') o.runs = int();
    else if (a === '--only') o.only = val().split(',').filter(Boolean);
    else if (a === '--pages') o.pages = int();
    else if (a === '--step-pages') o.stepPages = Math.min(2, int());
    else if (a === '--no-step-profiles') o.stepProfiles = false;
    else if (a === '--facets') o.facets = int();
    else if (a === '--profiles') o.profiles = int();
    else if (a === '--budget-s') o.budgetS = int();
    else if (a === '--sessions') o.sessions = int();
    else if (a === '--label') o.label = val().replace(/[^A-Za-z0-9_.-]/g, '_');
    else if (a === '--tree') o.tree = path.resolve(val());
    else if (a === '--report') o.report = path.resolve(val());
    else if (a === '--no-wait') o.waitQuiet = false;
    else if (a === '--quiet-timeout-s') o.quietTimeoutS = int();
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  for (const p of o.only) if (!PHASES.includes(p)) usage(`unknown phase ${p} (known: ${PHASES.join(', ')})`);
  return o;
}

function parseCount(s) {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) usage(`bad row count ${s}`);
  return Math.round(Number(m[1]) * (m[2] === '' ? 1 : /k/i.test(m[2]) ? 1e3 : 1e6));
}

function usage(msg) {
  if (msg) console.error(msg);
  console.error(
    'usage: node bench/server.mjs [--rows 1M[,10M]] [--runs 3] [--only upload,latency,sessions] [--pages 30] [--step-pages 2] [--no-step-profiles] [--facets 10] [--profiles 5] [--budget-s 90] [--sessions 50] [--label NAME] [--tree DIR] [--no-wait] [--quiet-timeout-s 120] | --report OUT.json',
  );
  process.exit(msg ? 2 : 0);
}

// ---------------------------------------------------------------- process accounting

const CLK_TCK = 100;
/** CPU seconds (user + system) used so far by process `pid` (its threads included). */
function procCpu(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** VmRSS and VmHWM (peak) of `pid`, KiB. */
function procMem(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1]);
    return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
  } catch {
    return { rssKiB: NaN, hwmKiB: NaN };
  }
}

/**
 * Starts measuring CPU over an interval; the returned function gives, in CPUs (average cores
 * busy), what the server used and what everything else on the machine used (other processes),
 * the harness's own CPU excluded.
 */
function cpuMeter(serverPid) {
  const t0 = performance.now();
  const busy0 = cpuBusySeconds();
  const srv0 = procCpu(serverPid);
  const own0 = process.cpuUsage();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const busy = cpuBusySeconds() - busy0;
    const srv = procCpu(serverPid) - srv0;
    const own = process.cpuUsage(own0);
    const harness = (own.user + own.system) / 1e6;
    return {
      wallS: wall,
      serverCpu: srv / wall,
      harnessCpu: harness / wall,
      otherCpu: (busy - srv - harness) / wall,
    };
  };
}

// ---------------------------------------------------------------- the server under test

/** Extra arguments for every server child (--tree DIR). */
const serverArgs = [];

async function startServer(args = []) {
  const child = fork(path.join(BENCH_DIR, 'server/child.mjs'), [...serverArgs, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  // The server's own log lines (no cell values, tokens or file names by design) are dropped;
  // only the tail is kept, to explain a crash.
  let tail = '';
  child.stderr.on('data', (d) => (tail = (tail + d).slice(-2000)));
  if (process.env.TV_SERVER_LOG)
    child.stderr.on('data', (d) => fs.appendFileSync(process.env.TV_SERVER_LOG, d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await Promise.race([
    new Promise((resolve) => child.once('message', (m) => resolve(m.url))),
    exited.then((e) => {
      throw new Error(`server exited during start (${e.code ?? e.signal}): ${tail}`);
    }),
  ]);
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
  return {
    url,
    pid: child.pid,
    session: async () => login(url, await token()),
    mem: () => procMem(child.pid),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.disconnect();
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

const authHeaders = (server, s) => ({
  cookie: s.cookie,
  [s.csrfHeader ?? 'x-tidyvault-csrf']: s.csrf,
  origin: server.url,
  'sec-fetch-site': 'same-origin',
});

/** One API call; ms from sending to the last byte of the response. Throws on non-2xx. */
async function api(server, s, method, url, body) {
  const t0 = performance.now();
  let res;
  let text;
  try {
    res = await fetch(`${server.url}${url}`, {
      method,
      headers: { ...authHeaders(server, s), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    text = await res.text();
  } catch (e) {
    // e.g. UND_ERR_SOCKET: the server closed the connection before answering
    const ms = performance.now() - t0;
    throw Object.assign(
      new Error(
        `${method} ${url.replace(/\?.*/, '')}: no response (${e.cause?.code ?? e.message}) after ${Math.round(ms / 1000)} s`,
      ),
      { ms },
    );
  }
  const ms = performance.now() - t0;
  // The body may quote cells: only the error code is shown.
  if (!res.ok) throw new Error(`${method} ${url.replace(/\?.*/, '')}: HTTP ${res.status} ${errorCode(text)}`);
  return { ms, json: text ? JSON.parse(text) : undefined };
}

const errorCode = (text) => {
  try {
    return JSON.parse(text).error?.code ?? '';
  } catch {
    return '';
  }
};

/** POST the file as multipart, streamed from disk; resolves with {ms, dataset}. */
function uploadFile(server, s, file) {
  return new Promise((resolve, reject) => {
    const boundary = `----tidyvaultbench${randomBytes(8).toString('hex')}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="w1.csv"\r\nContent-Type: text/csv\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const size = fs.statSync(file).size;
    const t0 = performance.now();
    const req = http.request(
      `${server.url}/api/datasets`,
      {
        method: 'POST',
        headers: {
          ...authHeaders(server, s),
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + size + tail.length,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - t0;
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 201) reject(new Error(`upload: HTTP ${res.statusCode} ${errorCode(text)}`));
          else resolve({ ms, dataset: JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.write(head);
    const rs = fs.createReadStream(file);
    rs.on('error', reject);
    rs.on('end', () => req.end(tail));
    rs.pipe(req, { end: false });
  });
}

async function quiet(o) {
  if (!o.waitQuiet) return undefined;
  const q = await waitQuiet({ log, timeoutS: o.quietTimeoutS });
  return q.busy;
}

const stats = (xs) => ({
  n: xs.length,
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  min: percentile(xs, 0),
  max: percentile(xs, 100),
});

// ---------------------------------------------------------------- phases

/**
 * The server's RSS once a load has settled: serve compresses the new table after answering,
 * and the load's buffers go back to the system after that. Sampled every 250 ms until it has
 * not fallen for 3 s (at most 30 s); `afterMs` counts from the first sample.
 */
async function settledMem(srv) {
  const t0 = performance.now();
  let low = srv.mem();
  let lowAt = t0;
  while (performance.now() - lowAt < 3000 && performance.now() - t0 < 30_000) {
    await sleep(250);
    const m = srv.mem();
    if (m.rssKiB < low.rssKiB * 0.98) {
      low = m;
      lowAt = performance.now();
    }
  }
  return { ...low, afterMs: lowAt - t0 };
}

/** Upload + load vs DuckDB's own read, interleaved; server RSS against the CSV size. */
async function phaseUpload(o, rows, file) {
  const csvBytes = fs.statSync(file).size;
  const server = [];
  const duck = [];
  for (let r = 0; r < o.runs; r++) {
    const order = r % 2 === 0 ? ['server', 'duckdb'] : ['duckdb', 'server'];
    for (const who of order) {
      if (who === 'server') {
        const srv = await startServer();
        try {
          await sleep(1500);
          const s = await srv.session();
          const quietBefore = await quiet(o);
          const before = srv.mem();
          const meter = cpuMeter(srv.pid);
          const { ms, dataset } = await uploadFile(srv, s, file);
          const cpu = meter();
          if (dataset.rows !== rows) throw new Error(`upload loaded ${dataset.rows} rows, expected ${rows}`);
          await sleep(1000);
          const after = srv.mem();
          const settled = await settledMem(srv);
          server.push({ ms, before, after, settled, cpu, quietBefore });
          log(
            `  [${short(rows)} run ${r + 1}] server upload+load ${(ms / 1000).toFixed(2)} s, RSS ${mib(before.rssKiB)} → ${mib(after.rssKiB)} MiB 1 s after (peak ${mib(after.hwmKiB)}), settled ${mib(settled.rssKiB)} MiB after ${(settled.afterMs / 1000).toFixed(1)} s, other load ${cpu.otherCpu.toFixed(2)} CPU`,
          );
        } finally {
          await srv.stop();
        }
      } else {
        const quietBefore = await quiet(o);
        const m = await measure(process.execPath, [path.join(BENCH_DIR, 'server/duckdb-read.mjs'), file], {
          cwd: REPO,
          captureStdout: true,
        });
        if (!m.ok) throw new Error(`duckdb-read failed: ${m.stderrTail}`);
        const j = JSON.parse(m.stdout.trim().split('\n').pop());
        if (j.rows !== rows) throw new Error(`DuckDB read ${j.rows} rows, expected ${rows}`);
        duck.push({
          ms: j.ms,
          rssKiB: j.rssKiB,
          wallS: m.wall,
          otherCpu: m.otherCpu / m.wall,
          quietBefore,
        });
        log(
          `  [${short(rows)} run ${r + 1}] DuckDB read ${(j.ms / 1000).toFixed(2)} s (process ${m.wall.toFixed(2)} s, RSS ${mib(j.rssKiB)} MiB), other load ${(m.otherCpu / m.wall).toFixed(2)} CPU`,
        );
      }
    }
  }
  const serverMs = median(server.map((x) => x.ms));
  const duckMs = median(duck.map((x) => x.ms));
  const rssAfter = median(server.map((x) => x.after.rssKiB)) * 1024;
  const rssDelta = median(server.map((x) => x.after.rssKiB - x.before.rssKiB)) * 1024;
  const rssSettled = median(server.map((x) => x.settled.rssKiB)) * 1024;
  return {
    rows,
    csvBytes,
    runs: { server, duckdb: duck },
    serverMs,
    duckdbMs: duckMs,
    ratio: serverMs / duckMs,
    rssAfterBytes: rssAfter,
    rssDeltaBytes: rssDelta,
    rssRatio: rssAfter / csvBytes,
    rssSettledBytes: rssSettled,
    rssSettledRatio: rssSettled / csvBytes,
    rssSettledMs: median(server.map((x) => x.settled.afterMs)),
    rssDeltaRatio: rssDelta / csvBytes,
    duckdbRssRatio: (median(duck.map((x) => x.rssKiB)) * 1024) / csvBytes,
  };
}

/** Latencies of grid pages, facets and profiles after applying the W1 recipe step by step. */
async function phaseLatency(o, rows, file) {
  const recipe = JSON.parse(fs.readFileSync(RECIPE, 'utf8'));
  const srv = await startServer();
  try {
    await sleep(1500);
    const s = await srv.session();
    const quietBefore = await quiet(o);
    const meter = cpuMeter(srv.pid);
    const baseline = srv.mem();
    const up = await uploadFile(srv, s, file);
    const id = up.dataset.id;
    const afterLoad = srv.mem();
    const rowsUrl = (offset) => `/api/datasets/${id}/rows?offset=${offset}&limit=100`;
    const raw = [];
    for (let k = 0; k < 3; k++)
      raw.push((await api(srv, s, 'GET', rowsUrl(Math.floor(Math.random() * (rows - 100))))).ms);
    log(
      `  [${short(rows)}] loaded in ${(up.ms / 1000).toFixed(2)} s; raw pages ${raw.map(ms0).join(', ')} ms`,
    );
    // The workbench asks for the profile once the first page of a state is shown.
    const profileUrl = `/api/datasets/${id}/profile`;
    const uploadProfileMs = o.stepProfiles ? (await api(srv, s, 'GET', profileUrl)).ms : NaN;
    if (o.stepProfiles) log(`  [${short(rows)}] profile after the upload ${ms0(uploadProfileMs)} ms`);

    const steps = [];
    for (const [k, step] of recipe.steps.entries()) {
      const st = await api(srv, s, 'POST', `/api/datasets/${id}/steps`, { step });
      // As the workbench asks: the rows without waiting for their count, then the count (limit=0).
      const first = await api(srv, s, 'GET', `${rowsUrl(0)}&total=later`);
      const counted =
        first.json.total === null
          ? await api(srv, s, 'GET', `/api/datasets/${id}/rows?offset=0&limit=0`)
          : { ms: NaN, json: first.json };
      const total = counted.json.total;
      const second =
        o.stepPages > 1
          ? await api(srv, s, 'GET', rowsUrl(Math.floor(Math.random() * Math.max(1, total - 100))))
          : { ms: NaN };
      const profile = o.stepProfiles ? await api(srv, s, 'GET', profileUrl) : { ms: NaN };
      steps.push({
        k: k + 1,
        op: step.op,
        stepMs: st.ms,
        firstPageMs: first.ms,
        countMs: counted.ms,
        nextPageMs: second.ms,
        profileMs: profile.ms,
        total,
      });
      log(
        `  [${short(rows)}] step ${k + 1} ${step.op}: ${ms0(st.ms)} ms; first page ${ms0(first.ms)} ms${Number.isFinite(counted.ms) ? `, its count ${ms0(counted.ms)} ms` : ''}, random page ${ms0(second.ms)} ms, profile ${ms0(profile.ms)} ms (${total} rows)`,
      );
    }
    const total = steps.at(-1).total;
    // Since 533f895 a step's state is made in the background while its pages are answered
    // directly; GET /location waits for states being made: how long until they caught up.
    const settled = await api(srv, s, 'GET', `/api/datasets/${id}/location`);
    log(`  [${short(rows)}] recipe states made ${ms0(settled.ms)} ms after the last step's first page`);

    // One kind at a time, up to n requests or budget seconds (at least 2).
    const failures = [];
    const sample = async (n, mk) => {
      const out = [];
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        if (i >= 2 && performance.now() - t0 > o.budgetS * 1000) break;
        try {
          out.push((await api(srv, s, 'GET', mk(i))).ms);
        } catch (e) {
          failures.push(e.message);
          log(`  [${short(rows)}] ${e.message}`);
          break;
        }
      }
      return out;
    };
    const last = Math.max(0, total - 100);
    const pages = await sample(o.pages, (i) =>
      rowsUrl(
        i % 4 === 3 ? Math.max(0, last - Math.floor(Math.random() * 1000)) : Math.floor(Math.random() * last),
      ),
    );
    log(`  [${short(rows)}] pages: ${fmtStats(stats(pages))}`);
    const facetColumns = ['category', 'state', 'status', 'city', 'name'];
    const facets = await sample(
      o.facets,
      (i) => `/api/datasets/${id}/facet?column=${facetColumns[i % facetColumns.length]}&limit=200`,
    );
    log(`  [${short(rows)}] facets: ${fmtStats(stats(facets))}`);
    const profiles = await sample(o.profiles, () => `/api/datasets/${id}/profile`);
    log(`  [${short(rows)}] profiles: ${fmtStats(stats(profiles))}`);
    const cpu = meter();
    const end = srv.mem();
    return {
      rows,
      csvBytes: fs.statSync(file).size,
      uploadMs: up.ms,
      rawPagesMs: raw,
      uploadProfileMs,
      steps,
      total,
      settleMs: settled.ms,
      pages: stats(pages),
      facets: stats(facets),
      profiles: stats(profiles),
      samples: { pages, facets, profiles },
      failures,
      mem: { baseline, afterLoad, end },
      cpu,
      quietBefore,
    };
  } finally {
    await srv.stop();
  }
}

/** The load test's flow with many sessions at once. */
async function phaseSessions(o) {
  const n = o.sessions;
  const srv = await startServer(['--max-concurrent-uploads', String(n)]);
  try {
    const canaries = Array.from({ length: n }, (_, i) => newCanary(i));
    const csvs = canaries.map((c, i) => sessionCsv(i, c));
    const sessions = [];
    for (let i = 0; i < n; i++) sessions.push(await srv.session());
    const quietBefore = await quiet(o);
    const meter = cpuMeter(srv.pid);
    const r = await runLoad({ baseUrl: srv.url, sessions, canaries, csvs });
    const cpu = meter();
    const mem = srv.mem();
    log(
      `  sessions: ${n} × ${r.requestsPerSession} requests in ${r.wallS.toFixed(1)} s, p50 ${ms0(r.latency.p50)} ms, p95 ${ms0(r.latency.p95)} ms, ${r.problems.length} problems, other load ${cpu.otherCpu.toFixed(2)} CPU`,
    );
    return {
      ...r,
      csvBytesEach: csvs[0].csv.length,
      rowsEach: csvs[0].rows,
      cpu,
      mem,
      quietBefore,
      problems: r.problems.slice(0, 20),
      problemCount: r.problems.length,
    };
  } finally {
    await srv.stop();
  }
}

// ---------------------------------------------------------------- report

const mib = (kib) => (Number.isFinite(kib) ? Math.round(kib / 1024) : '—');
const ms0 = (ms) => (Number.isFinite(ms) ? (ms < 10 ? ms.toFixed(1) : Math.round(ms)) : '—');
const fmtStats = (x) => `p50 ${ms0(x.p50)} ms, p95 ${ms0(x.p95)} ms (n=${x.n}, max ${ms0(x.max)})`;
const fmtLoad = (x) =>
  Number.isFinite(x) ? `${Math.max(0, x).toFixed(2)} CPU${x > NOISY ? ' (noisy)' : ''}` : '—';
const verdict = (ok) => (ok ? '**met**' : '**missed**');

function markdown(o, env, results, argv = process.argv.slice(2)) {
  const L = [];
  L.push(`# Server benchmark${o.label ? ` (${o.label})` : ''}`, '');
  L.push(
    `\`node bench/server.mjs ${argv.join(' ')}\` — ${results.finishedAt ?? new Date().toISOString()}`,
    '',
  );
  L.push(
    `- machine: ${env.nproc} CPUs, ${env.memGiB} GiB RAM, ${env.cpu}, ${env.kernel}; Node ${env.node}; DuckDB ${env.duckdb} (@duckdb/node-api ${env.duckdbNodeApi})`,
    `- commit ${env.commit}; last change to packages/server/src/datasets: ${env.serverDatasets}`,
    `- load average at start: ${env.loadavg.join(' / ')}`,
    '',
  );
  for (const u of results.upload) {
    L.push(
      `## Upload + load vs DuckDB's own read, ${short(u.rows)} rows (${mib(u.csvBytes / 1024)} MiB CSV)`,
      '',
    );
    L.push(
      '| run | server upload+load (s) | other load | DuckDB read (s) | other load |',
      '|---|---|---|---|---|',
    );
    for (let r = 0; r < Math.max(u.runs.server.length, u.runs.duckdb.length); r++) {
      const a = u.runs.server[r];
      const b = u.runs.duckdb[r];
      L.push(
        `| ${r + 1} | ${a ? (a.ms / 1000).toFixed(2) : '—'} | ${fmtLoad(a?.cpu.otherCpu)} | ${b ? (b.ms / 1000).toFixed(2) : '—'} | ${fmtLoad(b?.otherCpu)} |`,
      );
    }
    L.push(
      '',
      `Median: server ${(u.serverMs / 1000).toFixed(2)} s vs DuckDB ${(u.duckdbMs / 1000).toFixed(2)} s = **${u.ratio.toFixed(2)}×** (target ≤ ${TARGET_LOAD_RATIO}×: ${verdict(u.ratio <= TARGET_LOAD_RATIO)}).`,
      '',
      `Server RSS with the dataset loaded, once the load has settled (the table compressed, the load's buffers returned; ${(u.rssSettledMs / 1000).toFixed(1)} s after the 1 s reading, median): ${mib(u.rssSettledBytes / 1024)} MiB = **${u.rssSettledRatio.toFixed(2)}×** the CSV (target ≤ ${TARGET_RSS_RATIO}×: ${verdict(u.rssSettledRatio <= TARGET_RSS_RATIO)}). ` +
        `1 s after the upload's answer: ${mib(u.rssAfterBytes / 1024)} MiB = ${u.rssRatio.toFixed(2)}×; ` +
        `the load's own cost then (RSS after − before) ${mib(u.rssDeltaBytes / 1024)} MiB = ${u.rssDeltaRatio.toFixed(2)}×. ` +
        `For reference, DuckDB's own process after its read: ${u.duckdbRssRatio.toFixed(2)}× the CSV.`,
      '',
    );
  }
  for (const l of results.latency) {
    const target = TARGET_P95_MS[l.rows];
    L.push(`## Latencies on ${short(l.rows)} rows after the W1 recipe (${l.total} rows after it)`, '');
    L.push(
      '| step | op | POST /steps (ms) | first page after (ms) | its row count, when not with it (ms) | random page after (ms) | profile after (ms) |',
      '|---|---|---|---|---|---|---|',
    );
    for (const s of l.steps)
      L.push(
        `| ${s.k} | ${s.op} | ${ms0(s.stepMs)} | ${ms0(s.firstPageMs)} | ${ms0(s.countMs ?? NaN)} | ${ms0(s.nextPageMs)} | ${ms0(s.profileMs ?? NaN)} |`,
      );
    const stepProfiles = l.steps.map((x) => x.profileMs ?? NaN).filter(Number.isFinite);
    // "first" = the first request of its kind on a recipe state (what a user waits for after a
    // change); "repeat" = the same state asked again (served from what the server kept).
    const nFacetColumns = 5;
    const kinds = [
      ['grid page, first after each step (offset 0, total=later)', stats(l.steps.map((x) => x.firstPageMs))],
      [
        'row count after a step whose first page came without it (limit=0; not a page)',
        stats(l.steps.map((x) => x.countMs ?? NaN).filter(Number.isFinite)),
        false,
      ],
      ['grid page, random offsets (1 in 4 near the end), all steps applied', l.pages],
      [
        'facet, first per column (category, state, status, city, name)',
        stats(l.samples.facets.slice(0, nFacetColumns)),
      ],
      ['facet, repeated', stats(l.samples.facets.slice(nFacetColumns))],
      ['profile after the upload (every column)', stats([l.uploadProfileMs ?? NaN].filter(Number.isFinite))],
      ['profile after each step, as the workbench asks (changed columns only)', stats(stepProfiles)],
      [
        stepProfiles.length > 0 ? 'profile, all steps applied (asked before)' : 'profile, first',
        stats(l.samples.profiles.slice(0, 1)),
      ],
      ['profile, repeated', stats(l.samples.profiles.slice(1))],
    ];
    L.push('', '| request | n | p50 (ms) | p95 (ms) | max (ms) | target p95 |', '|---|---|---|---|---|---|');
    for (const [name, x, judged = true] of kinds)
      if (x.n > 0)
        L.push(
          `| ${name} | ${x.n} | ${ms0(x.p50)} | ${ms0(x.p95)} | ${ms0(x.max)} | ${target && judged ? `< ${target} ms: ${verdict(x.p95 < target)}` : '—'} |`,
        );
    if (l.settleMs !== undefined)
      L.push(
        '',
        `After the last step, \`GET /location\` (which waits for recipe states being made in the background) took ${ms0(l.settleMs)} ms.`,
      );
    L.push(
      '',
      `Before any step, a grid page took ${l.rawPagesMs.map(ms0).join(', ')} ms. Server RSS: ${mib(l.mem.baseline.rssKiB)} MiB idle, ${mib(l.mem.afterLoad.rssKiB)} MiB after the load, ${mib(l.mem.end.rssKiB)} MiB at the end (peak ${mib(l.mem.end.hwmKiB)} MiB = ${((l.mem.end.hwmKiB * 1024) / l.csvBytes).toFixed(2)}× the CSV). ` +
        `CPU during the phase: server ${l.cpu.serverCpu.toFixed(2)}, other processes ${fmtLoad(l.cpu.otherCpu)} (over ${l.cpu.wallS.toFixed(0)} s).`,
      '',
    );
    for (const f of l.failures ?? []) L.push(`- failed: ${f}`, '');
  }
  if (results.sessions) {
    const x = results.sessions;
    L.push(`## ${x.sessions} concurrent sessions (the load test's flow)`, '');
    L.push(
      `Each session: upload a different ${(x.csvBytesEach / 2 ** 20).toFixed(1)} MiB CSV (${x.rowsEach} rows), 5 steps, 3 grid pages, 1 facet, CSV export = ${x.requestsPerSession} requests; all ${x.sessions} at once (one keep-alive connection each, autocannon). ` +
        `${x.sessions * x.requestsPerSession} requests in ${x.wallS.toFixed(1)} s; errors ${x.autocannon.errors}, non-2xx ${x.autocannon.non2xx}, problems ${x.problemCount}. ` +
        `CPU: server ${x.cpu.serverCpu.toFixed(2)}, harness ${x.cpu.harnessCpu.toFixed(2)}, other processes ${fmtLoad(x.cpu.otherCpu)}. Server RSS at the end ${mib(x.mem.rssKiB)} MiB (peak ${mib(x.mem.hwmKiB)}).`,
      '',
      '| requests | n | p50 (ms) | p95 (ms) | max (ms) |',
      '|---|---|---|---|---|',
      `| all | ${x.latency.n} | ${ms0(x.latency.p50)} | ${ms0(x.latency.p95)} | ${ms0(x.latency.max)} |`,
    );
    for (const [k, v] of Object.entries(x.byKind))
      L.push(`| ${k} | ${v.n} | ${ms0(v.p50)} | ${ms0(v.p95)} | ${ms0(v.max)} |`);
    L.push('');
  }
  for (const e of results.errors ?? []) L.push(`- **phase failed**: ${e}`);
  return L.join('\n');
}

// ---------------------------------------------------------------- main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.report) {
    // Re-render the markdown of an earlier run from its .json.
    const r = JSON.parse(fs.readFileSync(o.report, 'utf8'));
    const md = markdown(r.options, r.env, r, r.argv);
    fs.writeFileSync(o.report.replace(/\.json$/, '.md'), md);
    process.stdout.write(`${md}\n`);
    return;
  }
  checkTimeBinary();
  const tree = o.tree ?? REPO;
  if (o.tree) serverArgs.push('--tree', o.tree);
  if (!fs.existsSync(path.join(tree, 'packages/server/dist/index.js')))
    throw new Error(`${tree}: packages/server is not built (npx tsc -b packages/cli)`);
  const env = environment();
  const git = (...args) =>
    spawnSync('git', args, { cwd: REPO, encoding: 'utf8' }).stdout?.trim() || 'unknown';
  if (o.tree) {
    const commit = fs.readFileSync(path.join(o.tree, '.tidyvault-snapshot'), 'utf8').trim();
    env.commit = `${git('log', '-1', '--format=%h', commit)} (snapshot in ${o.tree}; harness at ${env.commit})`;
    env.serverDatasets = git('log', '-1', '--format=%h %s', commit, '--', 'packages/server/src/datasets');
  } else {
    env.serverDatasets = git('log', '-1', '--format=%h %s', '--', 'packages/server/src/datasets');
  }
  log(`server benchmark: ${os.availableParallelism()} CPUs; ${env.commit}; datasets: ${env.serverDatasets}`);
  const errors = [];
  /** A phase that fails is reported and the others still run. */
  const phase = async (name, run, into) => {
    try {
      into.push(await run());
    } catch (e) {
      errors.push(`${name}: ${e.message}`);
      log(`  ${name} failed: ${e.message}`);
    }
  };
  const results = {
    errors,
    argv: process.argv.slice(2),
    options: o,
    env,
    upload: [],
    latency: [],
    sessions: undefined,
  };
  for (const rows of o.rows) {
    const file = ensureData(rows);
    if (o.only.includes('upload')) await phase('upload', () => phaseUpload(o, rows, file), results.upload);
    if (o.only.includes('latency'))
      await phase('latency', () => phaseLatency(o, rows, file), results.latency);
  }
  if (o.only.includes('sessions')) {
    const out = [];
    await phase('sessions', () => phaseSessions(o), out);
    results.sessions = out[0];
  }
  results.finishedAt = new Date().toISOString();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const base = resultBase(OUT_DIR, o.label ? `server-${o.label}` : 'server');
  fs.writeFileSync(`${base}.json`, JSON.stringify(results, null, 2));
  const md = markdown(o, env, results);
  fs.writeFileSync(`${base}.md`, md);
  process.stdout.write(`${md}\n`);
  log(`written: ${rel(base)}.md and .json`);
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
