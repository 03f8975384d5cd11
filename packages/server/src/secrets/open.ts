import { resolveKey } from './key.js';
import { SecretsStore } from './store.js';

/**
 * The server's secrets store: opened with the key from `keyFile` (--secrets-key-file,
 * TIDYVAULT_SECRETS_KEY_FILE or the config file), else TIDYVAULT_SECRETS_KEY; undefined without
 * a key (no connections). Throws at start for a weak, exposed or misplaced key, a broken or
 * exposed store, or a key that is not the one the store was written with.
 */
export function openSecrets(home: string, keyFile?: string): SecretsStore | undefined {
  const key = resolveKey({ keyFile, home });
  if (!key) {
    new SecretsStore(home).list();
    return undefined;
  }
  const store = new SecretsStore(home, key);
  store.checkKey();
  return store;
}
