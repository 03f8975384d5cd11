// Issue 7 item 7: the load test with 50 distinct signed-in users (local accounts) against a real
// listening server. Each user uploads their own ~0.5 MB CSV carrying their own canary; then all
// of them at once page the grid, ask facets and the profile, apply a step, and ask for a
// neighbour's dataset. Asserts zero errors, that every user's canary appears only in their own
// responses (and never in another's, nor in the logs or the audit log), and that a neighbour's id
// is the 404 of an unknown id. No timing assertions (latencies: bench/server-users.mjs).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { NodeEngine } from '@tidyvault/engine-node';
import { buildApp, listen, type TidyvaultApp } from '@tidyvault/server';
import { Accounts } from '@tidyvault/server/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Plain ESM shared with bench/server-users.mjs.
import { CANARY_RE, newCanary, runUsersLoad, signIn, userFiles } from './users-load.mjs';

const USERS = 50;
const BYTES = 512 * 1024;

describe('server under 50 distinct signed-in users', () => {
  let engine: NodeEngine;
  let t: TidyvaultApp;
  let url: string;
  let home: string;
  let accounts: Accounts;
  const logs: string[] = [];
  const password = (i: number) => `password of user ${i} ${randomBytes(4).toString('hex')}`;
  const passwords: string[] = [];

  beforeAll(async () => {
    home = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-users-load-')), 'home');
    accounts = new Accounts(home);
    for (let i = 0; i < USERS; i++) {
      passwords.push(password(i));
      await accounts.add(`user${String(i).padStart(2, '0')}`, passwords[i]!, 'member');
    }
    engine = await NodeEngine.open({ memoryLimit: '2GB', threads: 2 });
    t = await buildApp({
      engine,
      secretKey: randomBytes(32),
      auth: 'local',
      accounts,
      // Admission control (2 uploads at once, then 429) is not what this test is about.
      maxConcurrentUploads: USERS,
      maxUploadsPerUser: USERS,
      logStream: new Writable({
        write(chunk, _enc, cb) {
          logs.push(String(chunk));
          cb();
        },
      }),
    });
    ({ url } = await listen(t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false }));
  }, 120_000);

  afterAll(async () => {
    await t?.app.close();
    await engine?.close();
    if (home) fs.rmSync(path.dirname(home), { recursive: true, force: true });
  });

  it(
    'serves every user without errors, and each user only their own data',
    { timeout: 240_000 },
    async () => {
      const users = [];
      for (let i = 0; i < USERS; i++) {
        const name = `user${String(i).padStart(2, '0')}`;
        users.push({ name, ...(await signIn(url, name, passwords[i]!)) });
      }
      expect(t.sessions.size).toBe(USERS);
      const canaries = Array.from({ length: USERS }, (_, i) => newCanary(i));
      const csvs = userFiles(canaries, BYTES);

      const r = await runUsersLoad({ baseUrl: url, users, canaries, csvs, rounds: 2 });
      console.log(
        `users load: ${r.users} users, ${r.requests} requests (${r.expectedNotFound} probes of others' ids); ` +
          `latency p50 ${r.latency.p50.toFixed(0)} ms, p95 ${r.latency.p95.toFixed(0)} ms; ` +
          Object.entries(r.byKind as Record<string, { p50: number; p95: number }>)
            .map(([k, v]) => `${k} ${v.p50.toFixed(0)}/${v.p95.toFixed(0)}`)
            .join(', '),
      );

      expect(r.problems).toEqual([]);
      expect(r.expectedNotFound).toBe(USERS * 2);
      // upload + 2 × (3 pages, 2 facets, profile, probe) + 1 step + list
      expect(r.requests).toBe(USERS * (1 + 2 * 7 + 1 + 1));
      expect(t.store.size).toBe(USERS);
      // Each dataset is its uploader's, and nobody else's.
      for (let i = 0; i < USERS; i++) {
        const mine = t.store.list(users[i]!.name, 'member');
        expect(mine.map((x) => x.entry.id)).toEqual([r.ids[i]]);
      }
      // Logs and the audit log carry operations, ids and names, never cell values.
      expect(logs.join('')).not.toMatch(CANARY_RE);
      expect(JSON.stringify(t.audit.list({ limit: 10_000 }))).not.toMatch(CANARY_RE);
      const denied = t.audit.list({ limit: 10_000 }).filter((e) => e.action === 'access_denied');
      expect(denied).toHaveLength(USERS * 2);
    },
  );
});
