import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPILL_CLAIM } from '@tidyvault/engine-node';
import { serve, type RunningServer } from '../serve.js';

const quiet = () => ({ write: () => true }) as unknown as NodeJS.WritableStream;

/** 600 characters of random base64 per row: little for serve's table compression to win. */
function bigCsv(rows: number): Buffer {
  const parts = ['id,a\n'];
  for (let i = 0; i < rows; i++) parts.push(`${i},${randomBytes(450).toString('base64')}\n`);
  return Buffer.from(parts.join(''));
}

describe('serve --spill-dir', () => {
  let server: RunningServer;
  let spill: string;
  let headers: Record<string, string>;
  let form: FormData;
  let root: string;
  beforeAll(async () => {
    // Made before the server starts, so no 180 MB copy sits between the session's last request
    // and the upload (on a loaded machine the upload was seen reset, cause not found).
    form = new FormData();
    form.set('file', new Blob([bigCsv(300_000)]), 'big.csv');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-spill-test-'));
    spill = path.join(root, 'spill');
    fs.mkdirSync(spill, { mode: 0o700 });
    server = await serve({
      host: '127.0.0.1',
      port: 0,
      home: path.join(root, 'home'),
      // The importers need ~256 MiB of buffers; the tables below need more than what is left.
      memoryLimit: '300MB',
      threads: 1,
      spillDirectory: spill,
      logStream: quiet(),
    });
    const login = await fetch(server.loginUrl, { redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const me = await (await fetch(`${server.url}/api/auth/me`, { headers: { cookie } })).json();
    headers = { cookie, 'x-tidyvault-csrf': me.csrfToken };
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('lets DuckDB spill into the named folder, and /location lists exactly those files', async () => {
    const up = await fetch(`${server.url}/api/datasets`, { method: 'POST', headers, body: form });
    expect(up.status, await up.clone().text()).toBe(201);
    const { id } = await up.json();
    // Each recipe state is a table as big as the source (~180 MB, ~135 MB once compressed): the
    // source and two states do not fit in 300 MB.
    for (const c of ['upper', 'lower', 'upper']) {
      const step = await fetch(`${server.url}/api/datasets/${id}/steps`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ step: { op: 'change-case', columns: ['a'], case: c } }),
      });
      expect(step.status).toBe(200);
      expect((await fetch(`${server.url}/api/datasets/${id}/rows?limit=1`, { headers })).status).toBe(200);
    }
    // States are made in the background after each answer, so spill files come and go for a
    // while: read /location and the folder together until they agree (they must, within 10 s).
    const { loc, disk } = await settledLocation(id);
    expect(loc.spill).toBe('on');
    expect(loc.spillDirectory).toBe(spill);
    expect(loc.onDiskNote).toMatch(/spilling is on/);
    // The tables are bigger than the memory limit: part of them is in spill files, listed by path.
    expect(loc.engine.tableSpilledBytes).toBeGreaterThan(0);
    expect(loc.onDisk.length).toBeGreaterThan(0);
    for (const f of loc.onDisk) {
      expect(path.dirname(f.path)).toBe(spill);
      expect(f.what).toMatch(/plaintext/);
      // The size on disk, which can be more than the bytes DuckDB still uses in the file.
      expect(f.bytes).toBe(disk.get(f.path));
      expect(f.inUseBytes).toBeLessThanOrEqual(f.bytes);
    }
    expect(loc.onDiskNote).toMatch(
      /A deleted dataset's spilled blocks stay in a file until DuckDB reuses them/,
    );
    expect(loc.onDisk.map((f: { path: string }) => f.path).sort()).toEqual([...disk.keys()].sort());
    const del = await fetch(`${server.url}/api/datasets/${id}`, { method: 'DELETE', headers });
    expect(del.status).toBe(204);
    // Dropping the table frees its spilled blocks: the files go with it.
    await expect.poll(() => spillFiles(), { timeout: 10_000 }).toEqual([]);
  });

  /** The folder's files but the server's claim on it (a process id, no data). */
  const spillFiles = () => fs.readdirSync(spill).filter((f) => f !== SPILL_CLAIM);

  type Location = {
    spill: string;
    spillDirectory: string;
    onDiskNote: string;
    engine: { tableSpilledBytes: number };
    onDisk: { path: string; bytes: number; inUseBytes: number; what: string }[];
  };
  /** /location and the spill folder's files (path → size) read at the same moment, once they agree. */
  async function settledLocation(id: string): Promise<{ loc: Location; disk: Map<string, number> }> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const loc = (await (
        await fetch(`${server.url}/api/datasets/${id}/location`, { headers })
      ).json()) as Location;
      const disk = new Map<string, number>();
      for (const f of spillFiles()) {
        const file = path.join(spill, f);
        try {
          disk.set(file, fs.statSync(file).size);
        } catch {
          // Gone since the listing: the next round reads again.
        }
      }
      const agree = loc.onDisk.length === disk.size && loc.onDisk.every((f) => disk.get(f.path) === f.bytes);
      if (agree || Date.now() > deadline) return { loc, disk };
      await new Promise((r) => setTimeout(r, 200));
    }
  }
});
