#!/usr/bin/env node
// CLI latency benchmark: `tidyvault profile <w1_1M.csv> --json` (3 runs, median; target < 3 s)
// and `tidyvault --help` (10 runs, median; target < 300 ms).
//
// Usage: node bench/profile.mjs [--rows 1000000] [--profile-runs 3] [--help-runs 10]
// Wall time is measured in the harness around each child, peak RSS with GNU time (%M), as in
// run.mjs. Writes bench/out/profile-<date>.md and .json.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  CLI,
  DATA_DIR,
  OUT_DIR,
  PEERS_DIR,
  REPO,
  dataFile,
  environment,
  environmentMarkdown,
} from './lib/env.mjs';
import {
  checkTimeBinary,
  fmtMiB,
  fmtSeconds,
  measure,
  median,
  resultBase,
  waitQuiet,
} from './lib/measure.mjs';

const TARGET_PROFILE_S = 3;
const TARGET_HELP_S = 0.3;

function parseArgs(argv) {
  const o = { rows: 1_000_000, profileRuns: 3, helpRuns: 10 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const n = () => Number.parseInt(argv[++i] ?? '', 10);
    if (a === '--rows') o.rows = n();
    else if (a === '--profile-runs') o.profileRuns = n();
    else if (a === '--help-runs') o.helpRuns = n();
    else {
      console.error('usage: node bench/profile.mjs [--rows 1000000] [--profile-runs 3] [--help-runs 10]');
      process.exit(a === '-h' || a === '--help' ? 0 : 2);
    }
  }
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isInteger(v) || v < 1) {
      console.error(`${k} must be a positive integer`);
      process.exit(2);
    }
  }
  return o;
}

const log = (m) => process.stderr.write(`${m}\n`);
const fmtWall = (s) =>
  !Number.isFinite(s) ? '—' : s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${fmtSeconds(s)} s`;

async function series(name, args, runs, validate) {
  const out = [];
  for (let r = 0; r < runs; r++) {
    await waitQuiet({ log });
    const m = await measure(process.execPath, [CLI, ...args], { cwd: REPO, captureStdout: true });
    let error = m.ok
      ? validate(m.stdout)
      : `exit ${m.code ?? m.signal}: ${m.stderrTail.trim().split('\n').slice(-5).join(' | ')}`;
    if (error === true) error = undefined;
    out.push({
      run: r + 1,
      ok: !error,
      wall: m.wall,
      maxRssKiB: m.maxRssKiB,
      otherCpu: m.otherCpu,
      stdoutBytes: m.stdout.length,
      error,
    });
    log(
      `${name} run ${r + 1}/${runs}: ${error ? `FAILED ${error}` : `${(m.wall * 1000).toFixed(0)} ms  ${fmtMiB(m.maxRssKiB)} MiB`}`,
    );
  }
  const ok = out.filter((x) => x.ok);
  return {
    command: `tidyvault ${args.map((a) => (a.startsWith('/') ? path.relative(REPO, a) : a)).join(' ')}`,
    runs: out,
    ok: ok.length,
    medianWall: median(ok.map((x) => x.wall)),
    minWall: Math.min(...ok.map((x) => x.wall)),
    maxWall: Math.max(...ok.map((x) => x.wall)),
    medianRssKiB: median(ok.map((x) => x.maxRssKiB)),
    maxOtherLoad: Math.max(...ok.map((x) => x.otherCpu / x.wall)),
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  checkTimeBinary();
  if (!fs.existsSync(CLI)) {
    console.error(`${path.relative(REPO, CLI)} is not built (npm run build)`);
    process.exit(1);
  }
  const input = dataFile(o.rows);
  if (!fs.existsSync(input)) {
    fs.mkdirSync(DATA_DIR, { recursive: true });
    const tmp = `${input}.tmp-${process.pid}`;
    const g = spawnSync(process.execPath, [path.join(PEERS_DIR, 'gen.mjs'), String(o.rows), tmp], {
      stdio: 'inherit',
    });
    if (g.status !== 0) throw new Error('gen.mjs failed');
    fs.renameSync(tmp, input);
  }
  const env = environment();
  const profile = await series('profile', ['profile', input, '--json'], o.profileRuns, (stdout) => {
    try {
      JSON.parse(stdout);
      return true;
    } catch (e) {
      return `stdout is not JSON (${e.message})`;
    }
  });
  const help = await series('--help', ['--help'], o.helpRuns, (stdout) =>
    stdout.trim().length > 0 ? true : 'printed nothing on stdout',
  );

  const verdict = (s, target) =>
    s.ok === 0
      ? 'not measured (all runs failed)'
      : s.medianWall < target
        ? '**meets target**'
        : '**misses target**';
  const md = [
    `# CLI latency — ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    '',
    environmentMarkdown(env),
    `- input: ${path.relative(REPO, input)} (${(fs.statSync(input).size / 2 ** 20).toFixed(0)} MiB); wall = median of the runs, measured around the child process; each run waits for a quiet machine; other load = CPU used by other processes during a run / its wall time (worst run)`,
    '',
    '| command | runs ok | median | min–max | peak RSS MiB | other load (max) | target | verdict |',
    '|---|---|---|---|---|---|---|---|',
    ...[
      [profile, TARGET_PROFILE_S, `< ${TARGET_PROFILE_S} s`],
      [help, TARGET_HELP_S, `< ${TARGET_HELP_S * 1000} ms`],
    ].map(
      ([s, t, label]) =>
        `| \`${s.command}\` | ${s.ok}/${s.runs.length} | ${fmtWall(s.medianWall)} | ${s.ok ? `${fmtWall(s.minWall)}–${fmtWall(s.maxWall)}` : '—'} | ${fmtMiB(s.medianRssKiB)} | ${Number.isFinite(s.maxOtherLoad) ? `${Math.max(0, s.maxOtherLoad).toFixed(2)} CPU` : '—'} | ${label} | ${verdict(s, t)} |`,
    ),
    ...[profile, help].flatMap((s) =>
      s.runs.filter((x) => !x.ok).map((x) => `- failed: ${s.command} run ${x.run}: ${x.error}`),
    ),
    '',
  ].join('\n');
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const base = resultBase(OUT_DIR, 'profile');
  fs.writeFileSync(`${base}.md`, `${md}\n`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify({ env, options: o, profile, help }, null, 2)}\n`);
  process.stdout.write(`${md}\n`);
  log(`wrote ${path.relative(REPO, base)}.md and .json`);
  if (profile.ok < profile.runs.length || help.ok < help.runs.length) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
