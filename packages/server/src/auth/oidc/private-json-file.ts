import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';

/**
 * One JSON document in $TIDYVAULT_HOME kept the way users.json is (see accounts.ts): mode 0600 in
 * the 0700 home, refused when another user owns it or others can read it, replaced atomically
 * (temporary file, fsync, rename, fsync of the folder) under an exclusive lock file, and re-read
 * when its inode, size or times change. (A copy of accounts.ts's mechanics rather than a shared
 * module, so this file and that one can change independently.)
 */

const LOCK_WAIT_MS = 5_000;
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

export class PrivateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivateFileError';
  }
}

export class PrivateJsonFile<T> {
  readonly file: string;
  private readonly lockFile: string;
  private cache: { key: string; doc: T } | undefined;

  constructor(
    readonly home: string,
    readonly name: string,
    private readonly schema: z.ZodType<T>,
    private readonly empty: () => T,
  ) {
    this.file = path.join(home, name);
    this.lockFile = `${this.file}.lock`;
  }

  /** The document now on disk (the empty one when there is no file yet). */
  read(): T {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cache = undefined;
        return this.empty();
      }
      throw new PrivateFileError(`${this.file}: cannot be read (${(e as NodeJS.ErrnoException).code})`);
    }
    const key = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    if (this.cache?.key === key) return this.cache.doc;
    const doc = this.parse(st);
    this.cache = { key, doc };
    return doc;
  }

  private parse(st: fs.Stats): T {
    if (typeof process.getuid === 'function' && st.uid !== process.getuid())
      throw new PrivateFileError(`${this.file} belongs to another user; refusing to use it`);
    if ((st.mode & 0o077) !== 0)
      throw new PrivateFileError(
        `${this.file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`,
      );
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (e) {
      throw new PrivateFileError(`${this.file}: not valid JSON (${(e as Error).message})`);
    }
    const parsed = this.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new PrivateFileError(
        `${this.file}: not what it should hold (${issue.path.join('.') || 'top level'}: ${issue.message})`,
      );
    }
    return parsed.data;
  }

  /** Read-modify-write under the lock, then an atomic replace. `change` must not await. */
  mutate<R>(change: (doc: T) => R): R {
    this.ensureHome();
    this.lock();
    try {
      this.cache = undefined;
      const doc = structuredClone(this.read());
      const result = change(doc);
      this.write(doc);
      return result;
    } finally {
      fs.rmSync(this.lockFile, { force: true });
    }
  }

  private write(doc: T): void {
    const tmp = path.join(this.home, `.${this.name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const fd = fs.openSync(tmp, 'wx', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(doc, null, 2) + '\n');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    const dir = fs.openSync(this.home, 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  }

  private lock(): void {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const fd = fs.openSync(this.lockFile, 'wx', 0o600);
        fs.writeSync(fd, String(process.pid));
        fs.closeSync(fd);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      if (this.abandoned()) {
        fs.rmSync(this.lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new PrivateFileError(
          `${this.lockFile} is held by another process; try again (delete it if no tidyvault command is running)`,
        );
      sleep(20);
    }
  }

  private abandoned(): boolean {
    try {
      const st = fs.statSync(this.lockFile);
      const pid = Number(fs.readFileSync(this.lockFile, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && !alive(pid)) return true;
      return Date.now() - st.mtimeMs > LOCK_STALE_MS;
    } catch {
      return false;
    }
  }

  private ensureHome(): void {
    fs.mkdirSync(this.home, { recursive: true, mode: 0o700 });
    const st = fs.statSync(this.home);
    if (typeof process.getuid === 'function' && st.uid !== process.getuid())
      throw new PrivateFileError(`${this.home} belongs to another user; refusing to keep files there`);
    if ((st.mode & 0o077) !== 0) fs.chmodSync(this.home, 0o700);
  }
}
