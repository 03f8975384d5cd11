import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';

/*
 * Small private files in $TIDYVAULT_HOME (users.json, oidc-identities.json, secrets.json): mode
 * 0600 in the 0700 home, refused when another user owns them or others can read them, replaced
 * atomically (temporary file, fsync, rename, fsync of the folder) under an exclusive lock file,
 * so the CLI and a running server can share them.
 */

const LOCK_WAIT_MS = 5_000;
/** The lock is held only while a small file is rewritten; one older than this was abandoned. */
const LOCK_STALE_MS = 10_000;

/** What went wrong: the file (or folder) cannot be used, or another process holds the lock. */
export type PrivateFileProblem = 'file' | 'locked';
/** Each store reports problems with its own error class and codes. */
export type ErrorFor = (problem: PrivateFileProblem, message: string) => Error;

export class PrivateFileError extends Error {
  constructor(
    readonly problem: PrivateFileProblem,
    message: string,
  ) {
    super(message);
    this.name = 'PrivateFileError';
  }
}

const plainError: ErrorFor = (problem, message) => new PrivateFileError(problem, message);

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const ours = (st: fs.Stats) => typeof process.getuid !== 'function' || st.uid === process.getuid();

/** The data folder exists, is ours and is private (0700); `keep` says what for, in the refusal. */
export function ensurePrivateFolder(home: string, errorFor: ErrorFor = plainError, keep = 'files'): void {
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const st = fs.statSync(home);
  if (!ours(st)) throw errorFor('file', `${home} belongs to another user; refusing to keep ${keep} there`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(home, 0o700);
}

/** Refuses a file another user owns or others can read. */
function checkPrivate(file: string, st: fs.Stats, errorFor: ErrorFor): void {
  if (!ours(st)) throw errorFor('file', `${file} belongs to another user; refusing to use it`);
  if ((st.mode & 0o077) !== 0)
    throw errorFor(
      'file',
      `${file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`,
    );
}

/** The file's stats, or undefined when it does not exist. */
function statOrNone(file: string, errorFor: ErrorFor): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw errorFor('file', `${file}: cannot be read (${code})`);
  }
}

/** The file's text, or undefined when it does not exist; refuses one that is not ours or is exposed. */
export function readPrivateFile(file: string, errorFor: ErrorFor = plainError): string | undefined {
  const st = statOrNone(file, errorFor);
  if (!st) return undefined;
  checkPrivate(file, st, errorFor);
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
export function withLock<T>(lockFile: string, work: () => T, errorFor: ErrorFor = plainError): T {
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
      throw errorFor(
        'locked',
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

export interface PrivateJsonOptions {
  errorFor?: ErrorFor;
  /** What the file should hold, for the refusal of one that does not: "an accounts file". */
  what?: string;
  /** What the folder keeps, for the refusal of a folder that is not ours: "accounts". */
  keep?: string;
}

/** One JSON document in a private file, checked by `schema`, re-read when the file changes. */
export class PrivateJsonFile<T> {
  readonly file: string;
  private readonly lockFile: string;
  private readonly errorFor: ErrorFor;
  private cache: { key: string; doc: T } | undefined;

  constructor(
    readonly home: string,
    readonly name: string,
    private readonly schema: z.ZodType<T>,
    private readonly empty: () => T,
    private readonly o: PrivateJsonOptions = {},
  ) {
    this.file = path.join(home, name);
    this.lockFile = `${this.file}.lock`;
    this.errorFor = o.errorFor ?? plainError;
  }

  /** The document now on disk (the empty one when there is no file yet); cached while unchanged. */
  read(): T {
    const st = statOrNone(this.file, this.errorFor);
    if (!st) {
      this.cache = undefined;
      return this.empty();
    }
    const key = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    if (this.cache?.key === key) return this.cache.doc;
    checkPrivate(this.file, st, this.errorFor);
    const doc = this.parse(fs.readFileSync(this.file, 'utf8'));
    this.cache = { key, doc };
    return doc;
  }

  private parse(text: string): T {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw this.errorFor('file', `${this.file}: not valid JSON (${(e as Error).message})`);
    }
    const parsed = this.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw this.errorFor(
        'file',
        `${this.file}: not ${this.o.what ?? 'what it should hold'} (${issue.path.join('.') || 'top level'}: ${issue.message})`,
      );
    }
    return parsed.data;
  }

  /** Read-modify-write under the lock, then an atomic replace. `change` must not await. */
  mutate<R>(change: (doc: T) => R): R {
    ensurePrivateFolder(this.home, this.errorFor, this.o.keep);
    return withLock(
      this.lockFile,
      () => {
        this.cache = undefined;
        const doc = structuredClone(this.read());
        const result = change(doc);
        writePrivateFile(this.file, JSON.stringify(doc, null, 2) + '\n');
        return result;
      },
      this.errorFor,
    );
  }
}
