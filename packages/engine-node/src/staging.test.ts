import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onRamFileSystem, StagingArea, stagingRoot, sweepStaging, TEST_STAGING_ROOT_ENV } from './staging.js';

describe('is a folder RAM-backed?', () => {
  const mounts = [
    'overlay / overlay rw,relatime 0 0',
    'tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0',
    '/dev/sda1 /srv/data ext4 rw 0 0',
    'tmpfs /srv/data/fast\\040lane tmpfs rw 0 0',
    'tmpfs /mnt/over tmpfs rw 0 0',
    '/dev/sdb1 /mnt/over xfs rw 0 0',
  ].join('\n');

  it('reads the mount that holds it: the longest mount point above it, the last mounted there', () => {
    expect(onRamFileSystem('/dev/shm/tidyvault-staging-1', mounts)).toBe(true);
    expect(onRamFileSystem('/dev/shm', mounts)).toBe(true);
    expect(onRamFileSystem('/dev/shmx/a', mounts)).toBe(false);
    expect(onRamFileSystem('/tmp', mounts)).toBe(false);
    expect(onRamFileSystem('/srv/data/x', mounts)).toBe(false);
    expect(onRamFileSystem('/srv/data/fast lane/x', mounts)).toBe(true);
    // A disk mounted over a tmpfs hides it.
    expect(onRamFileSystem('/mnt/over/x', mounts)).toBe(false);
    // No /proc/mounts (macOS, Windows): not known to be RAM, so not claimed.
    expect(onRamFileSystem('/dev/shm', '')).toBe(false);
  });

  it.runIf(fs.existsSync('/proc/mounts') && fs.existsSync('/dev/shm'))(
    'says a staging area in /dev/shm is in RAM on this machine',
    () => {
      const area = new StagingArea('/dev/shm');
      try {
        expect(area.inRam).toBe(true);
      } finally {
        area.dispose();
      }
    },
  );
});

describe('staging area', () => {
  it('is a private folder that disappears on dispose', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-staging-root-'));
    const area = new StagingArea(root);
    expect(fs.statSync(area.dir).mode & 0o777).toBe(0o700);
    fs.writeFileSync(area.file('.csv'), 'x');
    area.dispose();
    expect(fs.existsSync(area.dir)).toBe(false);
  });

  it('sweeps folders left by a process that no longer runs', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-staging-root-'));
    const dead = path.join(root, 'tidyvault-staging-999999999-abcdef');
    fs.mkdirSync(dead);
    fs.writeFileSync(path.join(dead, 'left.csv'), 'secret');
    const mine = new StagingArea(root);
    expect(sweepStaging(root)).toEqual([]);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(mine.dir)).toBe(true);
    mine.dispose();
  });

  it.runIf(fs.existsSync('/dev/shm'))(
    "takes the tests' private root only inside /dev/shm: it never moves staging off RAM",
    () => {
      const inRam = fs.mkdtempSync('/dev/shm/tidyvault-staging-test-root-');
      const onDisk = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-staging-test-root-'));
      const before = process.env[TEST_STAGING_ROOT_ENV];
      try {
        process.env[TEST_STAGING_ROOT_ENV] = inRam;
        expect(stagingRoot()).toBe(inRam);
        for (const elsewhere of [
          onDisk,
          path.join(inRam, 'deeper'),
          '/dev/shm/../tmp',
          '/dev/shm/missing-root',
        ]) {
          process.env[TEST_STAGING_ROOT_ENV] = elsewhere;
          expect(stagingRoot(), elsewhere).toBe('/dev/shm');
        }
      } finally {
        if (before === undefined) delete process.env[TEST_STAGING_ROOT_ENV];
        else process.env[TEST_STAGING_ROOT_ENV] = before;
        fs.rmSync(inRam, { recursive: true, force: true });
        fs.rmSync(onDisk, { recursive: true, force: true });
      }
    },
  );
});
