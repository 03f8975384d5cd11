import fs from 'node:fs';
import { inspect } from 'node:util';
import type { SecretsStore } from '../../secrets/store.js';

/**
 * A secret held in memory that does not print: `String()`, `JSON.stringify` and `util.inspect`
 * (which the logger and error messages use) all give `[secret]`. Only `reveal()` gives the value,
 * and only the OIDC client hands it on, to the provider's token endpoint.
 */
export class SecretValue {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}

/**
 * Where the OIDC client secret comes from. It is never a flag (other users see a process's
 * arguments) and never a config-file value (config files get copied and committed).
 *
 * Or a secret value in the encrypted secrets store (`--oidc-client-secret-name`); the OIDC code
 * only ever sees a `SecretValue`.
 */
export type ClientSecretSource =
  | { kind: 'file'; path: string }
  | { kind: 'environment'; variable: string; value: string }
  /** A secret value in the encrypted secrets store (`tidyvault secrets set-value <name>`). */
  | { kind: 'store'; name: string; store: Pick<SecretsStore, 'value'> | undefined };

export const CLIENT_SECRET_ENV = 'TIDYVAULT_OIDC_CLIENT_SECRET';

export class ClientSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientSecretError';
  }
}

/** The largest secret file read (secrets are short; this is not the place for anything else). */
const MAX_SECRET_BYTES = 4096;

export function readClientSecret(source: ClientSecretSource): SecretValue {
  if (source.kind === 'store') {
    if (!source.store)
      throw new ClientSecretError(
        `the client secret is named in the secrets store (${source.name}), but no secrets key was given (--secrets-key-file, TIDYVAULT_SECRETS_KEY_FILE or TIDYVAULT_SECRETS_KEY)`,
      );
    const v = source.store.value(source.name);
    if (v.trim() === '' || /[\r\n]/.test(v))
      throw new ClientSecretError(
        `the secret value ${source.name} must hold the client secret alone, on one line`,
      );
    return new SecretValue(v);
  }
  if (source.kind === 'environment') {
    const v = source.value.trim();
    if (v === '') throw new ClientSecretError(`${source.variable} is empty`);
    return new SecretValue(v);
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(source.path);
  } catch (e) {
    throw new ClientSecretError(
      `${source.path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (!st.isFile()) throw new ClientSecretError(`${source.path}: not a file`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid())
    throw new ClientSecretError(`${source.path} belongs to another user; refusing to use it`);
  if ((st.mode & 0o077) !== 0)
    throw new ClientSecretError(
      `${source.path} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`,
    );
  if (st.size > MAX_SECRET_BYTES) throw new ClientSecretError(`${source.path}: larger than a client secret`);
  // One line; a trailing newline (echo, editors) is not part of the secret.
  const v = fs.readFileSync(source.path, 'utf8').replace(/\r?\n$/, '');
  if (v.trim() === '' || /[\r\n]/.test(v))
    throw new ClientSecretError(`${source.path}: must hold the client secret alone, on one line`);
  return new SecretValue(v);
}
