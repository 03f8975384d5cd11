import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryCsv, newCanary, scanForCanary, scanRoots } from './canary.js';
import { Client } from './client.js';
import { startServer } from './server-process.js';
import { onLinux, requireTools, stagingDirsOf, stagingFilesOf, tempDir, waitFor } from './tools.js';

/**
 * Issue 3, item 6 (d): `kill -9` of the server in the middle of an upload leaves the half-written
 * staging file behind (no code runs on SIGKILL); the next start's boot sweep must remove the dead
 * process's staging folder, after which no plaintext of the canary is left anywhere scanned.
 *
 * Both servers stage in a private root (TIDYVAULT_TEST_STAGING_ROOT, still in RAM under /dev/shm):
 * any other Tidyvault process on the machine sweeps dead folders in /dev/shm itself, so there the
 * folder could vanish without the restarted server's sweep, and the proof would prove nothing.
 */
describe.runIf(onLinux)('proof (d): kill -9 during an upload, then restart', () => {
  let dir: string;
  let root: string;
  beforeAll(() => {
    requireTools();
    dir = tempDir('crash');
    root = fs.mkdtempSync('/dev/shm/tidyvault-proof-crash-staging-');
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('sweeps the dead server staging folder at the next start and leaves no canary on disk', async () => {
    const started = Date.now();
    const home = path.join(dir, 'home');
    const cwd = path.join(dir, 'cwd');
    fs.mkdirSync(cwd);
    const canary = newCanary();
    const csv = canaryCsv(canary, 100_000);

    // TEST_STAGING_ROOT_ENV in packages/engine-node/src/staging.ts.
    const env = { TIDYVAULT_TEST_STAGING_ROOT: root };
    const first = await startServer({ home, cwd, env });
    const api = await Client.login(first);
    const up = api.partialUpload('canary.csv', csv, csv.length / 2);
    const inFlight = await waitFor(
      () => stagingFilesOf(first.pid, root).some((f) => f.size > 1_000_000),
      10_000,
    );
    expect(inFlight, 'the upload never reached staging').toBe(true);
    await first.kill9();
    await up.outcome;

    // Positive control: the crash really left plaintext behind, in the private root only, and the
    // scan finds it. No other process sweeps that root, so only the restart can remove it.
    const left = stagingDirsOf(first.pid, root);
    expect(left).toHaveLength(1);
    expect(stagingDirsOf(first.pid)).toEqual([]);
    const before = scanForCanary(left, canary, started);
    expect(before.hits).toHaveLength(1);

    const second = await startServer({ home, cwd, env });
    try {
      expect(second.pid).not.toBe(first.pid);
      // The sweep runs before the server listens: gone by the time it prints its link.
      expect(stagingDirsOf(first.pid, root), "the restarted server's sweep left the dead folder").toEqual([]);
      expect(stagingDirsOf(second.pid, root)).toHaveLength(1);
      expect(stagingFilesOf(second.pid, root)).toEqual([]);
      const after = scanForCanary(scanRoots(home, cwd), canary, started);
      expect(after.scanned).toBeGreaterThan(0);
      expect(after.hits, 'files holding the canary after the restart').toEqual([]);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    // A clean stop removes the server's own staging folder too.
    expect(stagingDirsOf(second.pid, root)).toEqual([]);
  });
});
