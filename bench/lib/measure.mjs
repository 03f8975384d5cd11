// Running one child process and measuring it.
//
// Wall time: performance.now() around the child (spawn to exit), in the harness.
// Peak RSS, user and system CPU: GNU time (`/usr/bin/time -f '%e %M %U %S' -o FILE`), which
// reports the child's rusage from wait4(): %M is the maximum resident set size in KiB of the
// measured process (for a process tree, the largest single process, not the sum).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TIME_BIN = '/usr/bin/time';

export function checkTimeBinary() {
  const r = spawnSync(TIME_BIN, ['-f', '%M', 'true'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`${TIME_BIN} (GNU time) is needed to measure peak RSS: apt-get install -y time`);
  }
}

const CLK_TCK = 100; // USER_HZ, the unit of /proc/stat on Linux

/** CPU seconds spent busy (user, nice, system, irq, softirq, steal) on all CPUs since boot. */
export function cpuBusySeconds() {
  try {
    const f = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + (steal || 0)) / CLK_TCK;
  } catch {
    return NaN;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Fraction of the machine (all CPUs) busy over `ms` milliseconds. */
export async function busyFraction(ms = 1000) {
  const a = cpuBusySeconds();
  const t = performance.now();
  await sleep(ms);
  const b = cpuBusySeconds();
  return (b - a) / (((performance.now() - t) / 1000) * os.cpus().length);
}

/**
 * The machine is shared: wait until it is quiet (less than `maxBusy` of all CPUs busy over a
 * second) before a measured run, for at most `timeoutS` seconds. Returns the last busy fraction
 * and the seconds waited.
 */
export async function waitQuiet({ maxBusy = 0.15, timeoutS = 1800, log = () => {} } = {}) {
  const t0 = performance.now();
  let busy = await busyFraction();
  let said = false;
  while (busy > maxBusy && (performance.now() - t0) / 1000 < timeoutS) {
    if (!said)
      log(`  machine busy (${Math.round(busy * 100)}% of all CPUs used by other processes): waiting…`);
    said = true;
    await sleep(4000);
    busy = await busyFraction();
  }
  return { busy, waited: (performance.now() - t0) / 1000 };
}

/** Keeps the last `limit` characters written to it. */
class Tail {
  constructor(limit) {
    this.limit = limit;
    this.text = '';
  }
  add(chunk) {
    this.text += chunk;
    if (this.text.length > 2 * this.limit) this.text = this.text.slice(-this.limit);
  }
  toString() {
    return this.text.slice(-this.limit);
  }
}

/**
 * Run `cmd args` under GNU time. Resolves (never rejects) with
 * { ok, code, signal, wall, timeWall, maxRssKiB, user, sys, otherCpu, stdout, stderrTail, error }.
 * stdout is kept whole when `captureStdout` is true, else only its tail.
 */
export function measure(cmd, args, { cwd, env, captureStdout = false } = {}) {
  const timeFile = path.join(
    os.tmpdir(),
    `bench-time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );
  return new Promise((resolve) => {
    const busy0 = cpuBusySeconds();
    const t0 = performance.now();
    const child = spawn(TIME_BIN, ['-f', '%e %M %U %S', '-o', timeFile, cmd, ...args], {
      cwd,
      env: env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = captureStdout ? [] : new Tail(4000);
    const err = new Tail(4000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => (captureStdout ? out.push(d) : out.add(d)));
    child.stderr.on('data', (d) => err.add(d));
    let spawnError;
    child.on('error', (e) => (spawnError = e));
    child.on('close', (code, signal) => {
      const wall = (performance.now() - t0) / 1000;
      const busy = cpuBusySeconds() - busy0;
      let timeWall = NaN;
      let maxRssKiB = NaN;
      let user = NaN;
      let sys = NaN;
      try {
        // GNU time writes "Command exited with non-zero status N" first on failure; the format
        // line is the last one.
        const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
        const f = lines[lines.length - 1].trim().split(/\s+/).map(Number);
        [timeWall, maxRssKiB, user, sys] = f;
      } catch {
        // no time file: the child could not be started
      }
      fs.rmSync(timeFile, { force: true });
      resolve({
        ok: !spawnError && code === 0,
        code,
        signal,
        wall,
        timeWall,
        maxRssKiB,
        user,
        sys,
        // CPU seconds used on the machine during the run by anything but the child (other
        // processes on a shared machine; the harness itself sleeps while the child runs)
        otherCpu: busy - user - sys,
        stdout: captureStdout ? out.join('') : out.toString(),
        stderrTail: err.toString(),
        error: spawnError?.message,
      });
    });
  });
}

export function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export const fmtSeconds = (s) => (Number.isFinite(s) ? (s < 10 ? s.toFixed(2) : s.toFixed(1)) : '—');
export const fmtMiB = (kib) => (Number.isFinite(kib) ? `${Math.round(kib / 1024)}` : '—');
export const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '—');

/** `2025-01-31` in local time, for result file names. */
export function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** dir/prefix-<date>.md, or -2, -3, … when that already exists; returns the base path without extension. */
export function resultBase(dir, prefix) {
  const base = path.join(dir, `${prefix}-${today()}`);
  if (!fs.existsSync(`${base}.md`) && !fs.existsSync(`${base}.json`)) return base;
  for (let k = 2; ; k++) {
    const b = `${base}-${k}`;
    if (!fs.existsSync(`${b}.md`) && !fs.existsSync(`${b}.json`)) return b;
  }
}
