import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from './process-alive.js';

const PREFIX = 'tidyvault-staging-';

/**
 * Tests only: a private staging root, so a proof that kills a server sees the restarted server's
 * own sweep, not another Tidyvault process's sweep of /dev/shm. Taken only when it is a folder
 * directly inside /dev/shm: it cannot move staging off RAM.
 */
export const TEST_STAGING_ROOT_ENV = 'TIDYVAULT_TEST_STAGING_ROOT';

const RAM_ROOT = '/dev/shm';

function testRoot(): string | undefined {
  const given = process.env[TEST_STAGING_ROOT_ENV];
  if (!given) return undefined;
  const root = path.resolve(given);
  const inRam =
    path.dirname(root) === RAM_ROOT && fs.statSync(root, { throwIfNoEntry: false })?.isDirectory();
  return inRam ? root : undefined;
}

/** A RAM-backed folder when the machine has one (Linux /dev/shm), else the OS temp folder. */
export function stagingRoot(): string {
  try {
    const st = fs.statSync(RAM_ROOT);
    if (st.isDirectory()) {
      fs.accessSync(RAM_ROOT, fs.constants.W_OK);
      return testRoot() ?? RAM_ROOT;
    }
  } catch {
    // fall through to the OS temp folder
  }
  return os.tmpdir();
}

function readMounts(): string {
  try {
    return fs.readFileSync('/proc/mounts', 'utf8');
  } catch {
    return '';
  }
}

/**
 * Is `dir` on a RAM-backed file system (tmpfs, ramfs)? Told by the mount that holds it in
 * /proc/mounts (the longest mount point above it, the last one mounted there); false where it
 * cannot be told (no /proc: macOS, Windows).
 */
export function onRamFileSystem(dir: string, mounts = readMounts()): boolean {
  const target = path.resolve(dir);
  let best: { point: string; type: string } | undefined;
  for (const line of mounts.split('\n')) {
    const [, escaped, type] = line.split(' ');
    if (!escaped || !type) continue;
    // Spaces, tabs and backslashes in mount points are written as octal escapes.
    const point = escaped.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    const inside = target === point || target.startsWith(point.endsWith('/') ? point : point + '/');
    if (inside && (!best || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type === 'tmpfs' || best?.type === 'ramfs';
}

/** Remove staging folders left by processes that no longer exist (crash, kill -9). */
export function sweepStaging(root = stagingRoot()): string[] {
  const removed: string[] = [];
  for (const name of fs.readdirSync(root)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) continue;
    if (pid === process.pid) continue;
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** A private (0700) folder for short-lived staging files, removed by dispose(). */
export class StagingArea {
  readonly dir: string;
  /** The folder is on a RAM-backed file system: staged files never reach a disk. */
  readonly inRam: boolean;
  constructor(root = stagingRoot()) {
    sweepStaging(root);
    this.inRam = onRamFileSystem(root);
    this.dir = path.join(root, `${PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    fs.mkdirSync(this.dir, { mode: 0o700 });
    fs.chmodSync(this.dir, 0o700);
  }

  /** A new file path inside the folder (not created). */
  file(ext: string): string {
    return path.join(this.dir, randomBytes(8).toString('hex') + ext);
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
