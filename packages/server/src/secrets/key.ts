import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { SecretsError } from './errors.js';

/** The key-encryption key: 32 bytes (AES-256), given as base64. */
export const KEY_BYTES = 32;
/** The key itself, in base64. */
export const KEY_ENV = 'TIDYVAULT_SECRETS_KEY';
/** A file holding the key in base64 (mode 0600, outside $TIDYVAULT_HOME). */
export const KEY_FILE_ENV = 'TIDYVAULT_SECRETS_KEY_FILE';

const BASE64 = /^(?:[A-Za-z0-9+/]{43}=?|[A-Za-z0-9_-]{43}=?)$/;
/** 32 random bytes hold 16 or more distinct values but for odds below 1 in 10^20. */
const MIN_DISTINCT_BYTES = 16;

const HOW =
  "32 random bytes in base64 (44 characters), such as 'tidyvault secrets new-key' or 'openssl rand -base64 32' prints";

/**
 * The operator's key-encryption key (KEK). It wraps the per-record keys of the secrets store and
 * is never written into it. Printing or serialising it shows only its id.
 */
export class SecretsKey {
  readonly #bytes: Buffer;
  /** A fingerprint (HMAC of a constant under the key): names the key in messages, reveals nothing. */
  readonly id: string;

  constructor(
    bytes: Buffer,
    /** Where it came from, for messages: an environment variable or a file. */
    readonly source: string,
  ) {
    this.#bytes = Buffer.from(bytes);
    this.id = createHmac('sha256', this.#bytes)
      .update('tidyvault secrets key id v1')
      .digest('hex')
      .slice(0, 16);
  }

  /** The raw key, for the envelope code only. */
  get bytes(): Buffer {
    return this.#bytes;
  }

  toString(): string {
    return `[secrets key ${this.id}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A fresh random key in base64. */
export function newKeyText(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Checks and decodes a key given as text; the message names `source`, never the key. */
export function parseKey(text: string, source: string): SecretsKey {
  const t = text.trim();
  if (t === '') throw new SecretsError('BAD_KEY', `${source} is empty; the secrets key must be ${HOW}`);
  if (!BASE64.test(t)) {
    const what = /^[0-9a-f]{64}$/i.test(t)
      ? 'it looks like hex'
      : t.length < 43
        ? `it is too short (${t.length} characters)`
        : 'it is not 44 characters of base64';
    throw new SecretsError('BAD_KEY', `${source}: the secrets key must be ${HOW}; ${what}`);
  }
  const bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== KEY_BYTES)
    throw new SecretsError(
      'BAD_KEY',
      `${source}: the secrets key must be ${HOW}; it decodes to ${bytes.length} bytes`,
    );
  if (new Set(bytes).size < MIN_DISTINCT_BYTES)
    throw new SecretsError(
      'BAD_KEY',
      `${source}: this secrets key is weak (its bytes repeat too much to be random); make one with 'tidyvault secrets new-key'`,
    );
  return new SecretsKey(bytes, source);
}

const inside = (child: string, parent: string) =>
  child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);

function realFolder(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Reads a key file: yours, mode 0600 (no access for group or others), and not inside the data
 * folder the store lives in (a key beside the data it protects protects nothing).
 */
export function readKeyFile(file: string, home?: string): SecretsKey {
  const abs = path.resolve(file);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    throw new SecretsError(
      'BAD_KEY',
      `the secrets key file ${abs} cannot be read (${(e as NodeJS.ErrnoException).code})`,
    );
  }
  if (!st.isFile()) throw new SecretsError('BAD_KEY', `the secrets key file ${abs} is not a regular file`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid())
    throw new SecretsError(
      'BAD_KEY',
      `the secrets key file ${abs} belongs to another user; refusing to use it`,
    );
  if ((st.mode & 0o077) !== 0)
    throw new SecretsError(
      'BAD_KEY',
      `the secrets key file ${abs} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`,
    );
  if (home !== undefined && inside(realFolder(abs), realFolder(home)))
    throw new SecretsError(
      'BAD_KEY',
      `the secrets key file ${abs} is inside the data folder ${home}, beside the secrets it protects; keep it elsewhere (a secrets manager, a mounted secret, another disk)`,
    );
  return parseKey(fs.readFileSync(abs, 'utf8'), `the secrets key file ${abs}`);
}

/**
 * The key, first found wins: a key file named on the command line, then
 * $TIDYVAULT_SECRETS_KEY_FILE, then $TIDYVAULT_SECRETS_KEY (the key itself). Undefined when
 * none is set.
 */
export function resolveKey(
  o: { keyFile?: string | undefined; home?: string; env?: NodeJS.ProcessEnv } = {},
): SecretsKey | undefined {
  const env = o.env ?? process.env;
  if (o.keyFile !== undefined && o.keyFile !== '') return readKeyFile(o.keyFile, o.home);
  const file = env[KEY_FILE_ENV];
  if (file !== undefined && file !== '') return readKeyFile(file, o.home);
  const text = env[KEY_ENV];
  if (text !== undefined && text !== '') return parseKey(text, KEY_ENV);
  return undefined;
}

/** As resolveKey, but a missing key is an error that says how to give one. */
export function requireKey(o: Parameters<typeof resolveKey>[0] = {}): SecretsKey {
  const key = resolveKey(o);
  if (!key)
    throw new SecretsError(
      'NO_KEY',
      `no secrets key: pass --secrets-key-file <file>, or set ${KEY_FILE_ENV} (a file) or ${KEY_ENV} (the key); make one with 'tidyvault secrets new-key'`,
    );
  return key;
}
