import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SecretsError } from './errors.js';

const LOCK_WAIT_MS = 5_000;
/** The lock is held only while a small file is rewritten; one older than this was abandoned. */
const LOCK_STALE_MS = 10_000;

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The data folder exists, is ours and is private (0700). */
export function ensurePrivateFolder(home: string): void {
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const st = fs.statSync(home);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid())
    throw new SecretsError('STORE_FILE', `${home} belongs to another user; refusing to keep secrets there`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(home, 0o700);
}

/** The file's text, or undefined when it does not exist; refuses one that is not ours or is exposed. */
export function readPrivateFile(file: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SecretsError('STORE_FILE', `${file}: cannot be read (${(e as NodeJS.ErrnoException).code})`);
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid())
    throw new SecretsError('STORE_FILE', `${file} belongs to another user; refusing to use it`);
  if ((st.mode & 0o077) !== 0)
    throw new SecretsError(
      'STORE_FILE',
      `${file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`,
    );
  return fs.readFileSync(file, 'utf8');
}

/**
 * Replace `file` atomically: a 0600 temporary file beside it, written and synced, renamed over
 * it, then the folder synced. A crash leaves the old file or the new one, never half of one.
 */
export function writePrivateFile(file: string, text: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function abandoned(lockFile: string): boolean {
  try {
    const st = fs.statSync(lockFile);
    const pid = Number(fs.readFileSync(lockFile, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) return true;
    return Date.now() - st.mtimeMs > LOCK_STALE_MS;
  } catch {
    return false;
  }
}

/** Run `work` holding `lockFile` (an exclusive-create lock with the holder's pid in it). */
export function withLock<T>(lockFile: string, work: () => T): T {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (abandoned(lockFile)) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new SecretsError(
        'LOCKED',
        `${lockFile} is held by another process; try again (delete it if no tidyvault command is running)`,
      );
    sleep(20);
  }
  try {
    return work();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}
