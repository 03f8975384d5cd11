export { SecretsError, type SecretsReason } from './errors.js';
export {
  KEY_BYTES,
  KEY_ENV,
  KEY_FILE_ENV,
  newKeyText,
  parseKey,
  readKeyFile,
  requireKey,
  resolveKey,
  SecretsKey,
} from './key.js';
export {
  KEEP_PASSWORD,
  postgresSettingsSchema,
  SECRETS_FILE,
  SSL_MODES,
  secretNameProblem,
  SecretsStore,
  type PostgresCredentials,
  type PostgresSettings,
  type ConnectionSummary,
  type SecretSummary,
  type SslMode,
} from './store.js';
export { tidyvaultHome } from '../home.js';
