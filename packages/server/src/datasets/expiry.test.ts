import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/log.js';
import { HOUR, MINUTE } from '../options.js';
import { fakeClock, harness, upload, type Harness } from '../test-support.js';

async function tables(h: Harness): Promise<unknown[]> {
  const r = await h.engine.connection.runAndReadAll('SELECT table_name FROM duckdb_tables()');
  return r.getRowsJson().map((x) => x[0]);
}

describe('dataset expiry', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('purges a dataset idle for 60 minutes, and keeps one in use', async () => {
    const clock = fakeClock();
    h = await harness({ clock: clock.now, sessionIdleMs: 10 * HOUR, sessionAbsoluteMs: 100 * HOUR });
    const { headers } = await h.login();
    const idle = (await upload(h, headers, 'idle.csv', 'a\n1\n')).json();
    const busy = (await upload(h, headers, 'busy.csv', 'a\n1\n')).json();
    expect(idle.expiresAt).toBe(new Date(clock.now() + 60 * MINUTE).toISOString());
    expect(await tables(h)).toHaveLength(2);

    clock.advance(59 * MINUTE);
    expect(await h.t.store.sweep()).toBe(0);
    expect((await h.t.app.inject({ url: `/api/datasets/${busy.id}`, headers })).statusCode).toBe(200);
    clock.advance(1 * MINUTE);
    expect(await h.t.store.sweep()).toBe(1);
    expect(await tables(h)).toHaveLength(1);
    expect((await h.t.app.inject({ url: `/api/datasets/${idle.id}`, headers })).statusCode).toBe(404);
    expect((await h.t.app.inject({ url: `/api/datasets/${busy.id}`, headers })).statusCode).toBe(200);
  });

  it('purges after 24 hours however busy, and an expired id is 404 even before the sweep', async () => {
    const clock = fakeClock();
    h = await harness({ clock: clock.now, sessionIdleMs: 10 * HOUR, sessionAbsoluteMs: 100 * HOUR });
    const { headers } = await h.login();
    const d = (await upload(h, headers, 'd.csv', 'a\n1\n')).json();
    for (let i = 0; i < 24 * 2 - 1; i++) {
      clock.advance(30 * MINUTE);
      expect((await h.t.app.inject({ url: `/api/datasets/${d.id}/rows`, headers })).statusCode).toBe(200);
    }
    clock.advance(30 * MINUTE);
    expect((await h.t.app.inject({ url: `/api/datasets/${d.id}/rows`, headers })).statusCode).toBe(404);
    expect(h.t.store.size).toBe(0);
    expect(await tables(h)).toHaveLength(0);
    const list = await h.t.app.inject({ url: '/api/datasets', headers });
    expect(list.json()).toEqual({ datasets: [] });
  });

  it('purges a dataset within about a second of its expiry, not at the next minute', async () => {
    h = await harness({ datasetIdleMs: 300, sessionIdleMs: 10 * HOUR });
    const { headers } = await h.login();
    const d = (await upload(h, headers, 'd.csv', 'a\n1\n')).json();
    const due = Date.parse(d.expiresAt);
    while (h.t.store.size > 0 && Date.now() < due + 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(h.t.store.size).toBe(0);
    expect(await tables(h)).toHaveLength(0);
    expect(Date.now() - due).toBeLessThan(2_500);
    expect(h.logs()).toContain('"op":"dataset.expire"');
  });

  it('runs the sweep on a timer once the app is ready', async () => {
    const clock = fakeClock();
    h = await harness({ clock: clock.now, sweepIntervalMs: 20, sessionIdleMs: 10 * HOUR });
    const { headers } = await h.login();
    await upload(h, headers, 'd.csv', 'a\n1\n');
    clock.advance(61 * MINUTE);
    for (let i = 0; i < 500 && !h.logs().includes('dataset.expire'); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(h.t.store.size).toBe(0);
    expect(h.logs()).toContain('"op":"dataset.expire"');
  });

  it('purges every dataset when the server stops, each in the audit log', async () => {
    const audit = AuditLog.memory(randomBytes(32));
    const stopping = await harness({ audit });
    try {
      const { headers } = await stopping.login();
      const ids = [
        (await upload(stopping, headers, 'a.csv', 'a\ncanary-stop-1\n')).json().id as string,
        (await upload(stopping, headers, 'b.csv', 'a\ncanary-stop-2\n')).json().id as string,
      ];
      expect(await tables(stopping)).toHaveLength(2);
      await stopping.t.app.close();
      expect(stopping.t.store.size).toBe(0);
      expect(await tables(stopping)).toEqual([]);
      const purged = audit
        .list({ limit: 100 })
        .filter((r) => r.action === 'shutdown_purge')
        .map((r) => r.target);
      expect(purged.sort()).toEqual([...ids].sort());
    } finally {
      await stopping.engine.close();
      audit.close();
    }
  });
});
