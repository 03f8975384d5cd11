import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeEngine, StagingArea } from '@tidyvault/engine-node';
import { harness, upload } from '../test-support.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-disk-staging-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('where uploads are staged', () => {
  it.runIf(fs.existsSync('/proc/mounts') && fs.existsSync('/dev/shm'))(
    'says so when staging is RAM-backed (/dev/shm), and warns of nothing',
    async () => {
      const h = await harness();
      try {
        const { headers } = await h.login();
        const id = (await upload(h, headers, 'a.csv', 'x\n1\n')).json().id as string;
        const loc = (await h.t.app.inject({ url: `/api/datasets/${id}/location`, headers })).json();
        expect(loc.staging).toMatchObject({ folder: h.engine.staging.dir, ramBacked: true });
        expect(loc.staging.folder.startsWith('/dev/shm/')).toBe(true);
        expect(h.logs()).not.toContain('storage.staging_on_disk');
      } finally {
        await h.close();
      }
    },
  );

  it('warns at start and says so in the location answer when staging is on a disk', async () => {
    const engine = await NodeEngine.open({
      memoryLimit: '256MB',
      threads: 1,
      allowedDirectories: [root + '/'],
    });
    // As on a machine without a tmpfs /dev/shm: the OS temp folder.
    const disk = new StagingArea(root);
    const own = engine.staging;
    Object.defineProperty(engine, 'staging', { value: disk });
    const h = await harness({ engine });
    try {
      expect(disk.inRam).toBe(fs.readFileSync('/proc/mounts', 'utf8').includes(' /tmp tmpfs '));
      if (disk.inRam) return;
      const warning = h
        .logs()
        .split('\n')
        .find((l) => l.includes('"storage.staging_on_disk"'));
      expect(warning).toContain(disk.dir);
      const { headers } = await h.login();
      const id = (await upload(h, headers, 'a.csv', 'x\n1\n')).json().id as string;
      const loc = (await h.t.app.inject({ url: `/api/datasets/${id}/location`, headers })).json();
      expect(loc.staging).toMatchObject({ folder: disk.dir, ramBacked: false });
      expect(loc.staging.what).toMatch(/NOT on a RAM-backed file system/);
    } finally {
      await h.close();
      disk.dispose();
      own.dispose();
      await engine.close();
    }
  });

  it('logs the spill files of a server that was killed, deleted at start', async () => {
    const spill = path.join(root, 'spill');
    fs.mkdirSync(spill, { mode: 0o700 });
    fs.writeFileSync(path.join(spill, 'duckdb_temp_storage_S32K-0.tmp'), 'CANARY');
    const engine = await NodeEngine.open({ memoryLimit: '256MB', threads: 1, spillDirectory: spill });
    const h = await harness({ engine });
    try {
      const line = h
        .logs()
        .split('\n')
        .find((l) => l.includes('"storage.spill_swept"'));
      expect(JSON.parse(line!)).toMatchObject({ files: 1 });
      expect(h.logs()).not.toContain('CANARY');
    } finally {
      await h.close();
      await engine.close();
    }
  });
});
