// Issue 3, proof (e): 50 concurrent sessions against a real listening server, each uploading a
// different ~5 MB CSV with its own canary, applying 5 steps, paging, faceting and exporting.
// Asserts zero errors and non-2xx, that every session saw only its own canary, and that no
// canary reached the server's logs. No timing assertions (latencies: bench/server.mjs).
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { NodeEngine } from '@tidyvault/engine-node';
import { buildApp, listen, type TidyvaultApp } from '@tidyvault/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Plain ESM shared with bench/server.mjs.
import { canariesIn, CANARY_RE, login, newCanary, runLoad, sessionCsv } from './load.mjs';

const SESSIONS = 50;

describe('server under 50 concurrent sessions', () => {
  let engine: NodeEngine;
  let t: TidyvaultApp;
  let url: string;
  const logs: string[] = [];

  beforeAll(async () => {
    engine = await NodeEngine.open({ memoryLimit: '4GB', threads: 2 });
    t = await buildApp({
      engine,
      secretKey: randomBytes(32),
      // The defaults (2 uploads at once per user, 4 in all, then 429 + Retry-After) are admission control; this test
      // is about 50 sessions working at once, so all 50 uploads are admitted.
      maxConcurrentUploads: SESSIONS,
      maxUploadsPerUser: SESSIONS,
      logStream: new Writable({
        write(chunk, _enc, cb) {
          logs.push(String(chunk));
          cb();
        },
      }),
    });
    ({ url } = await listen(t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false }));
  });

  afterAll(async () => {
    await t?.app.close();
    await engine?.close();
  });

  it('the canary check flags another session’s value', () => {
    const a = newCanary(1);
    const b = newCanary(2);
    expect(canariesIn(`x,${a}\ny,${a}\n`, a)).toEqual({ mine: 2, foreign: 0 });
    expect(canariesIn(`x,${a}\ny,${b}\n`, a)).toEqual({ mine: 1, foreign: 1 });
    expect(`${a}`.match(CANARY_RE)).toHaveLength(1);
  });

  // ~30–70 s on 2 shared cores (the DuckDB connection serialises the work); the timeout is a
  // safety net for a loaded CI machine, not a performance assertion.
  it('serves every session without errors, and only its own data', { timeout: 240_000 }, async () => {
    const canaries: string[] = Array.from({ length: SESSIONS }, (_, i) => newCanary(i));
    const csvs = canaries.map((c, i) => sessionCsv(i, c));
    // Each login link is single-use and issuing one kills the previous: one at a time.
    const sessions = [];
    for (let i = 0; i < SESSIONS; i++) sessions.push(await login(url, t.issueLoginToken()));
    expect(t.sessions.size).toBe(SESSIONS);

    const r = await runLoad({ baseUrl: url, sessions, canaries, csvs });
    // One line for the CI log: counts and milliseconds only.
    console.log(
      `load: ${r.sessions} sessions × ${r.requestsPerSession} requests in ${r.wallS.toFixed(1)} s; ` +
        `latency p50 ${r.latency.p50.toFixed(0)} ms, p95 ${r.latency.p95.toFixed(0)} ms; ` +
        Object.entries(r.byKind as Record<string, { p50: number; p95: number }>)
          .map(([k, v]) => `${k} ${v.p50.toFixed(0)}/${v.p95.toFixed(0)}`)
          .join(', '),
    );

    expect(r.problems).toEqual([]);
    expect(r.autocannon.errors).toBe(0);
    expect(r.autocannon.timeouts).toBe(0);
    expect(r.autocannon.non2xx).toBe(0);
    expect(r.latency.n).toBe(SESSIONS * r.requestsPerSession);
    expect(t.store.size).toBe(SESSIONS);
    // Logs carry operations, ids and timings, never cell values.
    expect(logs.join('')).not.toMatch(CANARY_RE);
    expect(logs.join('')).toContain('dataset.upload');
  });
});
