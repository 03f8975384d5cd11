import { TidyvaultError } from '@tidyvault/core';

/**
 * Why the secrets store refused:
 * - NO_KEY: no key was given (TIDYVAULT_SECRETS_KEY, TIDYVAULT_SECRETS_KEY_FILE, --secrets-key-file);
 * - BAD_KEY: the key given is not 32 random bytes in base64, or its file is exposed or misplaced;
 * - WRONG_KEY: the store was written with another key;
 * - TAMPERED: a record does not decrypt with the right key (altered, moved or swapped);
 * - STORE_FILE: the store file is unreadable, exposed or not a store;
 * - LOCKED: another process holds the store's lock;
 * - NO_SUCH_SECRET, BAD_SETTING: the name or a setting given.
 */
export type SecretsReason =
  | 'NO_KEY'
  | 'BAD_KEY'
  | 'WRONG_KEY'
  | 'TAMPERED'
  | 'STORE_FILE'
  | 'LOCKED'
  | 'NO_SUCH_SECRET'
  | 'BAD_SETTING';

const USAGE: ReadonlySet<SecretsReason> = new Set(['NO_KEY', 'BAD_KEY', 'BAD_SETTING']);

/** A refusal of the secrets store; its message never holds a secret or a key. */
export class SecretsError extends TidyvaultError {
  constructor(
    readonly reason: SecretsReason,
    message: string,
  ) {
    super(USAGE.has(reason) ? 'USAGE' : 'EXECUTION', message);
    this.name = 'SecretsError';
  }
}
