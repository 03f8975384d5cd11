#!/usr/bin/env node
// Clustering benchmark: `fingerprint` over a column of N distinct values (default 1,000,000;
// target < 3 s). Generates bench/data/cluster-<N>.csv once (values spelled 4 ways each, 1 in 5
// with accents or non-Latin script, so both keyer paths run), then reports the median of R runs
// (default 3) of:
//   cluster  — NodeEngine.cluster() on the loaded column: the distinct values and their counts
//              (one DuckDB query, read as one string), a key per distinct value (TypeScript),
//              grouping by key, the ordered clusters;
//   cli      — the whole `tidyvault cluster <file> --column name --method fingerprint --json`
//              (process start, CSV import, clustering, JSON out), wall time.
// The machine may be shared: before each run it waits (at most --quiet-timeout-s, default 300)
// until other processes use less than 15% of all CPUs, and it reports how much CPU others used
// during each engine run (busy CPU time from /proc/stat minus this process's own).
// Usage: npm run build && node bench/cluster.mjs [--values 1000000] [--runs 3] [--method fingerprint]
//        [--quiet-timeout-s 300]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuBusySeconds, waitQuiet } from './lib/measure.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_S = 3;

const opts = { values: 1_000_000, runs: 3, method: 'fingerprint', quietTimeoutS: 300 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--values') opts.values = Number.parseInt(process.argv[++i], 10);
  else if (a === '--runs') opts.runs = Number.parseInt(process.argv[++i], 10);
  else if (a === '--method') opts.method = process.argv[++i];
  else if (a === '--quiet-timeout-s') opts.quietTimeoutS = Number(process.argv[++i]);
  else throw new Error(`unknown option ${a}`);
}

const WORDS = [
  'acme',
  'globex',
  'initech',
  'umbrella',
  'hooli',
  'vandelay',
  'stark',
  'wayne',
  'tyrell',
  'cyberdyne',
];
const ACCENTED = ['café', 'zürich', 'são paulo', 'ﬁnance', '東京', 'مدينة', 'straße', 'Œuvre'];

/** Value i: base (i >> 2) spelled one of 4 ways; all N values are distinct. */
function value(i) {
  const b = i >> 2;
  const w1 = b % 5 === 0 ? ACCENTED[b % ACCENTED.length] : WORDS[b % WORDS.length];
  const w2 = WORDS[Math.floor(b / WORDS.length) % WORDS.length];
  const base = `${w1} ${w2} ${b}`;
  switch (i & 3) {
    case 0:
      return base;
    case 1:
      return base.toUpperCase();
    case 2:
      return `${b} ${w2}, ${w1}`;
    default:
      return ` ${w1}.${w2} ${b} `;
  }
}

function csvField(s) {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function dataFile(n) {
  const dir = path.join(REPO, 'bench/data');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `cluster-${n}.csv`);
  if (fs.existsSync(file)) return file;
  const fd = fs.openSync(file + '.tmp', 'w');
  let buf = 'name\n';
  for (let i = 0; i < n; i++) {
    buf += csvField(value(i)) + '\n';
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  fs.renameSync(file + '.tmp', file);
  return file;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (s) => `${s.toFixed(2)} s`;

const file = dataFile(opts.values);
const { NodeEngine } = await import(path.join(REPO, 'packages/engine-node/dist/index.js'));

const engineTimes = [];
const cpuTimes = []; // this process's CPU (JS and DuckDB threads): less sensitive to other load
const otherLoads = []; // CPUs' worth of time other processes used during the call
const quiet = () => waitQuiet({ timeoutS: opts.quietTimeoutS, log: (m) => process.stderr.write(`${m}\n`) });
let clusters = 0;
let distinct = 0;
for (let r = 0; r < opts.runs; r++) {
  const engine = await NodeEngine.open({ allowedDirectories: [path.dirname(file) + '/'] });
  try {
    const dataset = await engine.importFile(file, path.basename(file), { format: 'csv' });
    await quiet();
    const busy0 = cpuBusySeconds();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const result = await engine.cluster(dataset, 'name', opts.method, {});
    const wall = (performance.now() - t0) / 1000;
    engineTimes.push(wall);
    const cpu = process.cpuUsage(cpu0);
    cpuTimes.push((cpu.user + cpu.system) / 1e6);
    otherLoads.push((cpuBusySeconds() - busy0 - (cpu.user + cpu.system) / 1e6) / wall);
    clusters = result.clusters.length;
    const c = await engine.connection.runAndReadAll('SELECT count(DISTINCT name) FROM ' + dataset.table);
    distinct = Number(c.getRowsJson()[0][0]);
  } finally {
    await engine.close();
  }
}

const cliTimes = [];
for (let r = 0; r < opts.runs; r++) {
  await quiet();
  const t0 = performance.now();
  const p = spawnSync(
    process.execPath,
    [
      path.join(REPO, 'packages/cli/dist/main.js'),
      'cluster',
      file,
      '--column',
      'name',
      '--method',
      opts.method,
      '--json',
      '--quiet',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 },
  );
  cliTimes.push((performance.now() - t0) / 1000);
  if (p.status !== 0) throw new Error(`tidyvault cluster failed: ${p.stderr}`);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `${opts.method} over ${distinct.toLocaleString('en')} distinct values → ${clusters.toLocaleString('en')} clusters`,
);
console.log(`machine: ${os.cpus().length} × ${cpu}, Node ${process.version}`);
console.log(
  `cluster (engine, data loaded): median ${fmt(median(engineTimes))} of [${engineTimes.map(fmt).join(', ')}]  target < ${TARGET_S} s: ${median(engineTimes) < TARGET_S ? 'met' : 'MISSED'}`,
);
console.log(
  `  CPU time of that call: median ${fmt(median(cpuTimes))}; other processes used [${otherLoads.map((x) => Math.max(0, x).toFixed(2)).join(', ')}] CPUs during the runs; load average at the end: ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
);
console.log(
  `tidyvault cluster (CLI, incl. import): median ${fmt(median(cliTimes))} of [${cliTimes.map(fmt).join(', ')}]`,
);
