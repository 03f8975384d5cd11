import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryCsv, newCanary, scanForCanary, scanRoots } from './canary.js';
import { Client } from './client.js';
import { startServer, type ServerProcess } from './server-process.js';
import { onLinux, requireTools, stagingFilesOf, tempDir, waitFor } from './tools.js';

/**
 * Issue 3, item 6 (c): a client that disconnects mid-upload leaves no dataset and no staging
 * file, whether it leaves while the body streams into staging or after the last byte, while the
 * engine loads it. Runs the real server process over real TCP.
 */
describe.runIf(onLinux)('proof (c): a disconnect mid-upload leaves nothing', () => {
  let dir: string;
  let home: string;
  let cwd: string;
  let server: ServerProcess;
  let api: Client;
  const started = Date.now();
  const canary = newCanary();
  // ~18 MB: big enough that loading it takes longer than the client needs to hang up.
  const csv = canaryCsv(canary, 200_000);

  beforeAll(async () => {
    requireTools();
    dir = tempDir('disconnect');
    home = path.join(dir, 'home');
    cwd = path.join(dir, 'cwd');
    fs.mkdirSync(cwd);
    server = await startServer({ home, cwd });
    api = await Client.login(server);
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const datasets = async () => (await api.get('/api/datasets')).json().datasets as unknown[];

  it('while the body streams into staging', async () => {
    const up = api.partialUpload('canary.csv', csv, csv.length / 2);
    // Positive control: the check sees the staging file while the upload is in flight.
    const seen = await waitFor(() => stagingFilesOf(server.pid).some((f) => f.size > 1_000_000), 10_000);
    expect(seen, 'the half-sent upload never showed up in staging').toBe(true);
    up.req.destroy();
    expect(await up.outcome).not.toMatch(/^status/);
    await waitFor(() => stagingFilesOf(server.pid).length === 0, 10_000);
    expect(stagingFilesOf(server.pid)).toEqual([]);
    expect(await datasets()).toEqual([]);
  });

  it('after the last byte, while the engine loads it', async () => {
    const up = api.partialUpload('canary.csv', csv, csv.length);
    // The whole body is on the wire: hang up as soon as the server has it in staging.
    await waitFor(() => stagingFilesOf(server.pid).some((f) => f.size >= csv.length), 10_000, 5);
    up.req.destroy();
    // No response came first (else this case would not test a disconnect).
    expect(await up.outcome).not.toMatch(/^status/);
    await waitFor(
      async () => stagingFilesOf(server.pid).length === 0 && (await datasets()).length === 0,
      10_000,
    );
    expect(stagingFilesOf(server.pid)).toEqual([]);
    expect(await datasets()).toEqual([]);
  });

  it('still accepts uploads afterwards, and no canary byte is on disk', async () => {
    // The upload slots were released (the server allows 2 at once; 2 were cut).
    const ok = await api.upload('small.csv', canaryCsv(canary, 10));
    expect(ok.status).toBe(201);
    expect(await datasets()).toHaveLength(1);
    expect((await api.delete(`/api/datasets/${ok.json().id}`)).status).toBe(204);
    const scan = scanForCanary(scanRoots(home, cwd), canary, started);
    expect(scan.hits).toEqual([]);
  });
});
