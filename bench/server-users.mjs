#!/usr/bin/env node
// The multi-user load test at full size (issue 7 item 7): N local accounts on a real listening
// server, each uploading its own CSV with its own canary, then all at once paging the grid,
// faceting, profiling, applying a step and probing a neighbour's id. Prints latencies and the
// problems found (none = pass); exits 1 if there are any. The CI-sized run is
// bench/server/users-load.test.ts (50 users × 0.5 MB × 2 rounds).
//
// Usage: node bench/server-users.mjs [--users 50] [--mib 5] [--rounds 5] [--memory-limit 8GB] [--threads 2]
// Needs a build (npm run build). Only 127.0.0.1 is contacted.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NodeEngine } from '@tidyvault/engine-node';
import { buildApp, listen } from '@tidyvault/server';
import { Accounts } from '@tidyvault/server/accounts';
import { newCanary, runUsersLoad, signIn, userFiles } from './server/users-load.mjs';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '50' },
    mib: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '5' },
    'memory-limit': { type: 'string', default: '8GB' },
    threads: { type: 'string', default: '2' },
  },
});
const n = Number(values.users);
const bytes = Math.round(Number(values.mib) * 2 ** 20);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-users-bench-'));
const home = path.join(dir, 'home');
const accounts = new Accounts(home);
const passwords = [];
process.stdout.write(`making ${n} accounts…\n`);
for (let i = 0; i < n; i++) {
  passwords.push(randomBytes(12).toString('base64url'));
  await accounts.add(`user${String(i).padStart(3, '0')}`, passwords[i], 'member');
}
const engine = await NodeEngine.open({
  memoryLimit: values['memory-limit'],
  threads: Number(values.threads),
});
const t = await buildApp({
  engine,
  secretKey: randomBytes(32),
  auth: 'local',
  accounts,
  logLevel: 'error',
  maxConcurrentUploads: n,
  maxUploadsPerUser: n,
  maxResidentBytes: 16 * 2 ** 30,
});
const { url } = await listen(t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
try {
  const users = [];
  for (let i = 0; i < n; i++) {
    const name = `user${String(i).padStart(3, '0')}`;
    users.push({ name, ...(await signIn(url, name, passwords[i])) });
  }
  const canaries = Array.from({ length: n }, (_, i) => newCanary(i % 100));
  const csvs = userFiles(canaries, bytes);
  const started = performance.now();
  const r = await runUsersLoad({ baseUrl: url, users, canaries, csvs, rounds: Number(values.rounds) });
  const s = ((performance.now() - started) / 1000).toFixed(1);
  const ms = (x) => x.toFixed(0);
  process.stdout.write(
    `${n} users × ${(bytes / 2 ** 20).toFixed(1)} MiB, ${values.rounds} rounds: ${r.requests} requests in ${s} s, ` +
      `p50 ${ms(r.latency.p50)} ms, p95 ${ms(r.latency.p95)} ms\n`,
  );
  for (const [k, v] of Object.entries(r.byKind))
    process.stdout.write(
      `  ${k.padEnd(8)} n=${v.n} p50 ${ms(v.p50)} ms, p95 ${ms(v.p95)} ms, max ${ms(v.max)} ms\n`,
    );
  process.stdout.write(`problems: ${r.problems.length}\n`);
  for (const p of r.problems.slice(0, 20)) process.stdout.write(`  ${p}\n`);
  process.exitCode = r.problems.length === 0 ? 0 : 1;
} finally {
  await t.app.close();
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
