import fs from 'node:fs';
import { z } from 'zod';
import { PrivateJsonFile, type ErrorFor } from '../private-files.js';
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

const accountsError: ErrorFor = (problem, message) =>
  new AccountsError(problem === 'locked' ? 'ACCOUNTS_LOCKED' : 'ACCOUNTS_FILE', message);

export class Accounts {
  private readonly doc: PrivateJsonFile<AccountsDocument>;

  constructor(
    readonly home: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.doc = new PrivateJsonFile(home, ACCOUNTS_FILE, documentSchema, () => ({ version: 1, users: [] }), {
      errorFor: accountsError,
      what: 'an accounts file',
      keep: 'accounts',
    });
  }

  get file(): string {
    return this.doc.file;
  }

  /** Every account, re-read when the file changed since the last call. */
  list(): Account[] {
    return this.read().users.map((u) => ({ ...u }));
  }

  /**
   * Every account, or undefined when there is no accounts file or it holds none (moved aside, a
   * backup being restored): then nothing can be said about anyone, least of all "removed".
   */
  known(): Account[] | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    const users = this.list();
    return users.length > 0 ? users : undefined;
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

  /** The document now on disk (re-read when the file changed). */
  private read(): AccountsDocument {
    return this.doc.read();
  }

  /** Read-modify-write under the lock file, then an atomic replace. */
  private mutate(change: (doc: AccountsDocument) => void): void {
    this.doc.mutate(change);
  }
}
