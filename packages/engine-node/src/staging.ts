import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A private (0700) folder for short-lived staging files, removed by dispose(). */
export class StagingArea {
  readonly dir: string;
  constructor(root = stagingRoot()) {
    sweepStaging(root);
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
