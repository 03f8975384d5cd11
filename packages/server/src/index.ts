export { buildApp, type TidyvaultApp } from './app.js';
export { listen, checkBind, isLoopback, type ListenOptions } from './listen.js';
export { loadSecrets, tidyvaultHome } from './home.js';
export type { ServerOptions, Clock } from './options.js';
export { SecretValue, readClientSecret, type ClientSecretSource } from './auth/oidc/client-secret.js';
export type { OidcOptions } from './auth/oidc/options.js';
export { cookieName } from './security/access.js';
export { CSRF_HEADER } from './security/csrf.js';
export { serve, type ServeOptions, type RunningServer } from './serve.js';
export {
  resolveSettings,
  settingsHelp,
  parseSize,
  SettingsError,
  SETTINGS,
  SETTING_FLAGS,
  type ResolvedSettings,
} from './settings.js';
export { serveLocalOnly, buildLocalOnlyApp, LOCAL_ONLY_HEADERS } from './local-only.js';
