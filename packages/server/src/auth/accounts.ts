import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { hashPassword, passwordProblem } from './passwords.js';

export { tidyvaultHome } from '../home.js';
export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.js';

/**
 * Local accounts (`tidyvault serve --auth local`), kept in `$TIDYVAULT_HOME/users.json`: one
 * JSON document, mode 0600, replaced atomically (written to a temporary file beside it, synced,
 * renamed over it). The CLI (`tidyvault users …`) and a running server share it: every change is
 * a read-modify-write under an exclusive lock file, and readers notice a new version by its
 * inode (each write is a new file), so a running server sees the CLI's changes at the next
 * request. Each account carries a `generation`, raised when its password changes or it is
 * disabled; a session remembers the generation it was made under and dies when they differ.
 */

export const ACCOUNTS_FILE = 'users.json';

/**
 * `admin`: manages accounts and the server (but opens only datasets shared with them, like
 * anyone); `member`: uploads, cleans and shares their own datasets; `viewer`: reads the datasets
 * shared with them and nothing more (cannot upload, change a recipe, share or delete).
 */
export type Role = 'admin' | 'member' | 'viewer';
export const ROLES = ['admin', 'member', 'viewer'] as const satisfies readonly Role[];

/** How much an account role may do, for "at least this role" checks. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 0, member: 1, admin: 2 };
export const atLeast = (role: Role, needed: Role): boolean => ROLE_RANK[role] >= ROLE_RANK[needed];

const accountSchema = z.strictObject({
  name: z.string(),
  role: z.enum(ROLES),
  /** PHC string (argon2id). */
  passwordHash: z.string(),
  disabled: z.boolean(),
  /** Raised on every password change and disable: sessions made under an older one are dead. */
  generation: z.number().int().min(1),
  createdAt: z.string(),
  passwordChangedAt: z.string(),
  disabledAt: z.string().optional(),
});
export type Account = z.infer<typeof accountSchema>;

const documentSchema = z.strictObject({ version: z.literal(1), users: z.array(accountSchema) });
type AccountsDocument = z.infer<typeof documentSchema>;

export type AccountsErrorCode =
  'BAD_USERNAME' | 'BAD_PASSWORD' | 'USER_EXISTS' | 'NO_SUCH_USER' | 'ACCOUNTS_FILE' | 'ACCOUNTS_LOCKED';

export class AccountsError extends Error {
  constructor(
    readonly code: AccountsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AccountsError';
  }
}

/** 1–64 characters: lower-case letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Usernames are case-insensitive: `Alice` signs in as `alice`. */
export const normaliseUsername = (raw: string): string => raw.normalize('NFKC').trim().toLowerCase();

export function usernameProblem(name: string): string | undefined {
  return USERNAME.test(name)
    ? undefined
    : `"${name.slice(0, 80)}" is not a valid username: use 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit`;
}

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

export class Accounts {
  readonly file: string;
  private readonly lockFile: string;
  private cache: { key: string; doc: AccountsDocument } | undefined;

  constructor(
    readonly home: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.file = path.join(home, ACCOUNTS_FILE);
    this.lockFile = `${this.file}.lock`;
  }

  /** Every account, re-read when the file changed since the last call. */
  list(): Account[] {
    return this.read().users.map((u) => ({ ...u }));
  }

  get(name: string): Account | undefined {
    const u = this.read().users.find((x) => x.name === name);
    return u && { ...u };
  }

  /** An enabled administrator exists (else `serve` prints a one-time setup token). */
  hasAdmin(): boolean {
    return this.read().users.some((u) => u.role === 'admin' && !u.disabled);
  }

  /** Creates an account (the password hashed at the policy's parameters). */
  async add(rawName: string, password: string, role: Role): Promise<Account> {
    const name = normaliseUsername(rawName);
    const problem = usernameProblem(name) ?? undefined;
    if (problem) throw new AccountsError('BAD_USERNAME', problem);
    const weak = passwordProblem(password);
    if (weak) throw new AccountsError('BAD_PASSWORD', weak);
    if (this.get(name)) throw new AccountsError('USER_EXISTS', `a user named "${name}" already exists`);
    const passwordHash = await hashPassword(password);
    const now = new Date(this.clock()).toISOString();
    const account: Account = {
      name,
      role,
      passwordHash,
      disabled: false,
      generation: 1,
      createdAt: now,
      passwordChangedAt: now,
    };
    this.mutate((doc) => {
      if (doc.users.some((u) => u.name === name))
        throw new AccountsError('USER_EXISTS', `a user named "${name}" already exists`);
      doc.users.push(account);
    });
    return { ...account };
  }

  /** A new password: every session of the user ends. */
  async resetPassword(rawName: string, password: string): Promise<Account> {
    const name = normaliseUsername(rawName);
    this.require(name);
    const weak = passwordProblem(password);
    if (weak) throw new AccountsError('BAD_PASSWORD', weak);
    const passwordHash = await hashPassword(password);
    return this.update(name, (u) => {
      u.passwordHash = passwordHash;
      u.passwordChangedAt = new Date(this.clock()).toISOString();
      u.generation++;
    });
  }

  /** The user can no longer sign in, and every session of theirs ends. */
  disable(rawName: string): Account {
    return this.update(normaliseUsername(rawName), (u) => {
      if (u.disabled) return;
      u.disabled = true;
      u.disabledAt = new Date(this.clock()).toISOString();
      u.generation++;
    });
  }

  enable(rawName: string): Account {
    return this.update(normaliseUsername(rawName), (u) => {
      u.disabled = false;
      delete u.disabledAt;
    });
  }

  /**
   * Replace the hash if it is still `previous` (a rehash at sign-in: same password, stronger
   * parameters; sessions are kept). False when the account changed meanwhile.
   */
  replaceHash(name: string, previous: string, next: string): boolean {
    let replaced = false;
    this.mutate((doc) => {
      const u = doc.users.find((x) => x.name === name);
      if (u && u.passwordHash === previous) {
        u.passwordHash = next;
        replaced = true;
      }
    });
    return replaced;
  }

  private require(name: string): Account {
    const u = this.get(name);
    if (!u) throw new AccountsError('NO_SUCH_USER', `there is no user named "${name.slice(0, 80)}"`);
    return u;
  }

  private update(name: string, change: (u: Account) => void): Account {
    let result: Account | undefined;
    this.mutate((doc) => {
      const u = doc.users.find((x) => x.name === name);
      if (!u) throw new AccountsError('NO_SUCH_USER', `there is no user named "${name.slice(0, 80)}"`);
      change(u);
      result = { ...u };
    });
    return result!;
  }

  /** The document now on disk (cached while the file's identity and times are unchanged). */
  private read(): AccountsDocument {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cache = undefined;
        return { version: 1, users: [] };
      }
      throw new AccountsError(
        'ACCOUNTS_FILE',
        `${this.file}: cannot be read (${(e as NodeJS.ErrnoException).code})`,
      );
    }
    const key = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    if (this.cache?.key === key) return this.cache.doc;
    const doc = this.parse(st);
    this.cache = { key, doc };
    return doc;
  }

  private parse(st: fs.Stats): AccountsDocument {
    if (typeof process.getuid === 'function' && st.uid !== process.getuid())
      throw new AccountsError('ACCOUNTS_FILE', `${this.file} belongs to another user; refusing to use it`);
    if ((st.mode & 0o077) !== 0)
      throw new AccountsError(
        'ACCOUNTS_FILE',
        `${this.file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`,
      );
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (e) {
      throw new AccountsError('ACCOUNTS_FILE', `${this.file}: not valid JSON (${(e as Error).message})`);
    }
    const parsed = documentSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AccountsError(
        'ACCOUNTS_FILE',
        `${this.file}: not an accounts file (${issue.path.join('.') || 'top level'}: ${issue.message})`,
      );
    }
    return parsed.data;
  }

  /** Read-modify-write under the lock file, then an atomic replace. */
  private mutate(change: (doc: AccountsDocument) => void): void {
    this.ensureHome();
    this.lock();
    try {
      this.cache = undefined;
      const doc = structuredClone(this.read());
      change(doc);
      this.write(doc);
    } finally {
      fs.rmSync(this.lockFile, { force: true });
    }
  }

  private write(doc: AccountsDocument): void {
    const tmp = path.join(
      this.home,
      `.${ACCOUNTS_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
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
        throw new AccountsError(
          'ACCOUNTS_LOCKED',
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

  /** $TIDYVAULT_HOME exists, is ours and private (0700). */
  private ensureHome(): void {
    fs.mkdirSync(this.home, { recursive: true, mode: 0o700 });
    const st = fs.statSync(this.home);
    if (typeof process.getuid === 'function' && st.uid !== process.getuid())
      throw new AccountsError(
        'ACCOUNTS_FILE',
        `${this.home} belongs to another user; refusing to keep accounts there`,
      );
    if ((st.mode & 0o077) !== 0) fs.chmodSync(this.home, 0o700);
  }
}
