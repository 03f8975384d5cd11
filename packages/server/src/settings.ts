import fs from 'node:fs';
import path from 'node:path';
import { spillFolderProblem } from '@tidyvault/engine-node/spill-folder';
import { CLIENT_SECRET_ENV, SecretValue } from './auth/oidc/client-secret.js';
import { issuerProblem, redirectUrlProblem, scopesProblem } from './auth/oidc/options.js';
import { tidyvaultHome } from './home.js';
import type { ServeOptions } from './serve.js';

/**
 * Every `tidyvault serve` setting, from four places, first found wins:
 * a flag > its TIDYVAULT_* environment variable > the config file > the embedded default.
 * The config file is `--config PATH`, else `$TIDYVAULT_CONFIG`, else `$TIDYVAULT_HOME/config.json`
 * (that default file may be absent; a named one must exist). Relative paths in the config file
 * are relative to the file's folder.
 */

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export type SettingSource = 'flag' | 'environment' | 'config' | 'default';

/** Where a raw value came from, to name it in an error ("--port", "TIDYVAULT_PORT", "config.json: port"). */
interface Origin {
  source: Exclude<SettingSource, 'default'>;
  label: string;
  /** Folder relative paths are resolved against. */
  base: string;
}

type Settable = Omit<ServeOptions, 'home' | 'logStream'>;

interface Setting<K extends keyof Settable = keyof Settable> {
  key: K;
  /** Config-file key. */
  config: string;
  flag: string;
  env: string;
  /** Placeholder in --help. */
  arg: string;
  help: string;
  /** The default as shown in --help and the README. */
  shownDefault: string;
  parse: (raw: unknown, at: Origin) => Settable[K];
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/i;
const UNITS: Record<string, number> = { B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

const bad = (at: Origin, what: string) => new SettingsError(`${at.label}: ${what}`);

const text = (raw: unknown, at: Origin): string => {
  if (typeof raw !== 'string' || raw.trim() === '') throw bad(at, 'must be a non-empty string');
  return raw.trim();
};

/** Bytes from 500MB, 2GB, 1MiB (1 KB = 1024 bytes, as DuckDB counts) or, in the config file, a number. */
export function parseSize(raw: unknown, at: Origin | string): number {
  const o: Origin = typeof at === 'string' ? { source: 'flag', label: at, base: '' } : at;
  if (typeof raw === 'number' && o.source === 'config') {
    if (!Number.isInteger(raw) || raw < 1) throw bad(o, 'must be a whole number of bytes, at least 1');
    return raw;
  }
  const m = typeof raw === 'string' ? SIZE.exec(raw.trim()) : null;
  if (!m) throw bad(o, 'must be a size such as 500MB or 2GB');
  const bytes = Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'B')[0]!.toUpperCase()]!);
  if (bytes < 1) throw bad(o, 'must be at least 1 byte');
  return bytes;
}

const integer =
  (min: number, max: number) =>
  (raw: unknown, at: Origin): number => {
    const n = typeof raw === 'number' && at.source === 'config' ? raw : Number(text(raw, at));
    if (!Number.isInteger(n) || n < min || n > max)
      throw bad(at, `must be a whole number from ${min} to ${max}`);
    return n;
  };

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/i;
const DURATION_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds from 90s, 30m, 12h or 2d. */
export function parseDuration(raw: unknown, at: Origin): number {
  const m = typeof raw === 'string' ? DURATION.exec(raw.trim()) : null;
  if (!m) throw bad(at, 'must be a duration such as 30m, 12h or 2d');
  const ms = Math.round(Number(m[1]) * DURATION_MS[m[2]!.toLowerCase()]!);
  if (ms < 1_000) throw bad(at, 'must be at least 1s');
  return ms;
}

const filePath = (raw: unknown, at: Origin): string => path.resolve(at.base, text(raw, at));

/** A folder for DuckDB's (plaintext) spill files: see spillFolderProblem. */
export function privateFolder(raw: unknown, at: Origin): string {
  const abs = filePath(raw, at);
  const problem = spillFolderProblem(abs);
  if (problem) throw bad(at, `${abs} ${problem}`);
  return abs;
}

const list = (raw: unknown, at: Origin): string[] => {
  const items =
    at.source === 'config'
      ? Array.isArray(raw) && raw.every((x) => typeof x === 'string')
        ? raw
        : null
      : Array.isArray(raw)
        ? raw
        : typeof raw === 'string'
          ? raw.split(',')
          : null;
  if (!items) throw bad(at, 'must be a list of names (a JSON array of strings)');
  const names = (items as string[]).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw bad(at, 'must name at least one host');
  return names;
};

const trustProxy = (raw: unknown, at: Origin): string | boolean | undefined => {
  if (at.source === 'config') {
    if (typeof raw === 'boolean') return raw ? true : undefined;
    if (Array.isArray(raw)) return list(raw, at).join(',');
  }
  const v = text(raw, at);
  if (v === 'true') return true;
  if (v === 'false') return undefined;
  return v;
};

const AUTH_MODES = ['single', 'local', 'oidc'] as const;
const authMode = (raw: unknown, at: Origin): (typeof AUTH_MODES)[number] => {
  const v = text(raw, at);
  if (!(AUTH_MODES as readonly string[]).includes(v)) throw bad(at, "must be 'single', 'local' or 'oidc'");
  return v as (typeof AUTH_MODES)[number];
};

const issuerUrl = (raw: unknown, at: Origin): string => {
  const v = text(raw, at);
  const problem = issuerProblem(v);
  if (problem) throw bad(at, problem);
  return v;
};

const redirectUrl = (raw: unknown, at: Origin): string => {
  const v = text(raw, at);
  const problem = redirectUrlProblem(v);
  if (problem) throw bad(at, problem);
  return v;
};

/** Names from a flag (repeatable), a variable (commas or spaces) or the config file (an array). */
const names =
  (what: string) =>
  (raw: unknown, at: Origin): string[] => {
    const items =
      at.source === 'config'
        ? Array.isArray(raw) && raw.every((x) => typeof x === 'string')
          ? raw
          : null
        : Array.isArray(raw)
          ? raw
          : typeof raw === 'string'
            ? raw.split(/[\s,]+/)
            : null;
    if (!items) throw bad(at, `must be a list of ${what} (a JSON array of strings)`);
    const out = (items as string[]).map((s) => s.trim()).filter((s) => s !== '');
    if (out.length === 0) throw bad(at, `must name at least one of the ${what}`);
    return out;
  };

const scopes = (raw: unknown, at: Origin): string[] => {
  const list = names('scopes')(raw, at);
  const problem = scopesProblem(list);
  if (problem) throw bad(at, problem);
  return list;
};

const memoryLimit = (raw: unknown, at: Origin): string => {
  const v = text(raw, at);
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(v)) throw bad(at, 'must look like 512MB or 8GB');
  return v;
};

export const DEFAULT_MAX_COLUMNS = 1_000;
export const DEFAULT_MAX_CELL_BYTES = 2 ** 20;

const define = <K extends keyof Settable>(s: Setting<K>) => s as unknown as Setting;

/** The table --help, the README and the resolver are made from. */
export const SETTINGS: readonly Setting[] = [
  define({
    key: 'host',
    config: 'host',
    flag: 'host',
    env: 'TIDYVAULT_HOST',
    arg: '<addr>',
    shownDefault: '127.0.0.1',
    help: 'address to listen on; anything but loopback needs tls-cert/tls-key or trust-proxy',
    parse: text,
  }),
  define({
    key: 'port',
    config: 'port',
    flag: 'port',
    env: 'TIDYVAULT_PORT',
    arg: '<n>',
    shownDefault: '5177',
    help: 'port; 0 picks a free one',
    parse: integer(0, 65535),
  }),
  define({
    key: 'auth',
    config: 'auth',
    flag: 'auth',
    env: 'TIDYVAULT_AUTH',
    arg: '<mode>',
    shownDefault: 'single',
    help: "who can sign in: 'single' — one user, by the one-time login link printed at start; 'local' — accounts made with 'tidyvault users' (passwords, argon2id), sign-in at POST /api/auth/login; 'oidc' — single sign-on with an OpenID Connect provider (the oidc-* settings)",
    parse: authMode,
  }),
  define({
    key: 'oidcIssuer',
    config: 'oidcIssuer',
    flag: 'oidc-issuer',
    env: 'TIDYVAULT_OIDC_ISSUER',
    arg: '<url>',
    shownDefault: 'none (required with auth oidc)',
    help: "the provider's issuer URL, exactly as its discovery document says (https; plain http only for a provider on this machine)",
    parse: issuerUrl,
  }),
  define({
    key: 'oidcClientId',
    config: 'oidcClientId',
    flag: 'oidc-client-id',
    env: 'TIDYVAULT_OIDC_CLIENT_ID',
    arg: '<id>',
    shownDefault: 'none (required with auth oidc)',
    help: "this server's client id at the provider",
    parse: text,
  }),
  define({
    key: 'oidcClientSecretFile',
    config: 'oidcClientSecretFile',
    flag: 'oidc-client-secret-file',
    env: 'TIDYVAULT_OIDC_CLIENT_SECRET_FILE',
    arg: '<file>',
    shownDefault: `none: then ${CLIENT_SECRET_ENV}, else a public client (PKCE only)`,
    help: `a file (yours, mode 0600) holding the client secret alone; or give the secret itself in ${CLIENT_SECRET_ENV} (never as a flag or in the config file); never logged, never sent to a browser`,
    parse: filePath,
  }),
  define({
    key: 'oidcClientSecretName',
    config: 'oidcClientSecretName',
    flag: 'oidc-client-secret-name',
    env: 'TIDYVAULT_OIDC_CLIENT_SECRET_NAME',
    arg: '<name>',
    shownDefault: 'none',
    help: "instead of a file: the name of a secret value in the encrypted secrets store ('tidyvault secrets set-value <name> --value-stdin'), opened with the secrets key",
    parse: text,
  }),
  define({
    key: 'oidcRedirectUrl',
    config: 'oidcRedirectUrl',
    flag: 'oidc-redirect-url',
    env: 'TIDYVAULT_OIDC_REDIRECT_URL',
    arg: '<url>',
    shownDefault: "this server's address + /auth/oidc/callback (loopback only)",
    help: 'the redirect URI registered at the provider: the address people reach this server at, followed by /auth/oidc/callback; required unless the server listens on loopback without a proxy',
    parse: redirectUrl,
  }),
  define({
    key: 'oidcScopes',
    config: 'oidcScopes',
    flag: 'oidc-scopes',
    env: 'TIDYVAULT_OIDC_SCOPES',
    arg: '<scopes>',
    shownDefault: 'openid email profile',
    help: 'scopes asked for (comma- or space-separated; config an array); must include openid',
    parse: scopes,
  }),
  define({
    key: 'oidcProviderName',
    config: 'oidcProviderName',
    flag: 'oidc-provider-name',
    env: 'TIDYVAULT_OIDC_PROVIDER_NAME',
    arg: '<name>',
    shownDefault: "the issuer's host name",
    help: 'shown on the sign-in button: "Sign in with <name>"',
    parse: text,
  }),
  define({
    key: 'oidcAdminSubjects',
    config: 'oidcAdminSubjects',
    flag: 'oidc-admin-subject',
    env: 'TIDYVAULT_OIDC_ADMIN_SUBJECTS',
    arg: '<sub>',
    shownDefault: 'none',
    help: "the provider's subject (sub) of a person whose account is made an administrator at their first sign-in (flag repeatable; environment comma-separated; config an array)",
    parse: names('subjects'),
  }),
  define({
    key: 'tlsCert',
    config: 'tlsCert',
    flag: 'tls-cert',
    env: 'TIDYVAULT_TLS_CERT',
    arg: '<file>',
    shownDefault: 'none (plain HTTP)',
    help: 'PEM certificate: serve HTTPS (TLS 1.2+), HSTS, Secure cookie; needs tls-key',
    parse: filePath,
  }),
  define({
    key: 'tlsKey',
    config: 'tlsKey',
    flag: 'tls-key',
    env: 'TIDYVAULT_TLS_KEY',
    arg: '<file>',
    shownDefault: 'none',
    help: 'PEM private key for tls-cert',
    parse: filePath,
  }),
  define({
    key: 'trustProxy',
    config: 'trustProxy',
    flag: 'trust-proxy',
    env: 'TIDYVAULT_TRUST_PROXY',
    arg: '<addrs>',
    shownDefault: 'none',
    help: "a TLS-terminating proxy at these addresses (comma-separated, or 'true' for any) is in front; X-Forwarded-* are trusted from it only, and requests that did not come through it as HTTPS are refused (403)",
    parse: trustProxy,
  }),
  define({
    key: 'allowedHosts',
    config: 'allowedHosts',
    flag: 'allowed-host',
    env: 'TIDYVAULT_ALLOWED_HOSTS',
    arg: '<name>',
    shownDefault: 'localhost, 127.0.0.1, [::1] only',
    help: 'also answer to this Host name (flag repeatable; environment comma-separated; config an array); others get 421 (DNS-rebinding defence)',
    parse: list,
  }),
  define({
    key: 'memoryLimit',
    config: 'memoryLimit',
    flag: 'memory-limit',
    env: 'TIDYVAULT_MEMORY_LIMIT',
    arg: '<size>',
    shownDefault: "half the machine's memory, or of the container's limit when lower",
    help: 'DuckDB memory limit, e.g. 8GB',
    parse: memoryLimit,
  }),
  define({
    key: 'threads',
    config: 'threads',
    flag: 'threads',
    env: 'TIDYVAULT_THREADS',
    arg: '<n>',
    shownDefault: 'all cores',
    help: 'DuckDB threads',
    parse: integer(1, 1024),
  }),
  define({
    key: 'maxUploadBytes',
    config: 'maxUpload',
    flag: 'max-upload',
    env: 'TIDYVAULT_MAX_UPLOAD',
    arg: '<size>',
    shownDefault: '2GB',
    help: 'largest upload (413 above it, before the body is read when Content-Length says so)',
    parse: parseSize,
  }),
  define({
    key: 'maxColumns',
    config: 'maxColumns',
    flag: 'max-columns',
    env: 'TIDYVAULT_MAX_COLUMNS',
    arg: '<n>',
    shownDefault: String(DEFAULT_MAX_COLUMNS),
    help: 'most columns an upload may have (400 naming the line)',
    parse: integer(1, 100_000),
  }),
  define({
    key: 'maxCellBytes',
    config: 'maxCellLength',
    flag: 'max-cell-length',
    env: 'TIDYVAULT_MAX_CELL_LENGTH',
    arg: '<size>',
    shownDefault: '1MiB',
    help: 'longest cell, in UTF-8 bytes (400 naming the column and line); also bounds regex cost',
    parse: parseSize,
  }),
  define({
    key: 'maxConcurrentUploads',
    config: 'maxUploads',
    flag: 'max-uploads',
    env: 'TIDYVAULT_MAX_UPLOADS',
    arg: '<n>',
    shownDefault: '4',
    help: 'uploads and database imports received or loaded at once on the server; more get 429 with Retry-After',
    parse: integer(1, 1000),
  }),
  define({
    key: 'maxUploadsPerUser',
    config: 'maxUploadsPerUser',
    flag: 'max-uploads-per-user',
    env: 'TIDYVAULT_MAX_UPLOADS_PER_USER',
    arg: '<n>',
    shownDefault: '2',
    help: 'the same, for one user (max-uploads still bounds them all)',
    parse: integer(1, 1000),
  }),
  define({
    key: 'maxUserBytes',
    config: 'maxMemoryPerUser',
    flag: 'max-memory-per-user',
    env: 'TIDYVAULT_MAX_MEMORY_PER_USER',
    arg: '<size>',
    shownDefault: 'with accounts (local, oidc): half of what all datasets may hold; single: none',
    help: "what one user's datasets may hold in memory together; an upload or import past it gets 507 USER_MEMORY_FULL (all datasets together may hold two thirds of memory-limit)",
    parse: parseSize,
  }),
  define({
    key: 'apiRequestsPerMinute',
    config: 'apiRateLimit',
    flag: 'api-rate-limit',
    env: 'TIDYVAULT_API_RATE_LIMIT',
    arg: '<n>',
    shownDefault: '300',
    help: "API requests one session may make per minute (a minute's worth may come at once); more get 429 with Retry-After; 0 turns it off",
    parse: integer(0, 1_000_000),
  }),
  define({
    key: 'datasetIdleMs',
    config: 'datasetIdle',
    flag: 'dataset-idle',
    env: 'TIDYVAULT_DATASET_IDLE',
    arg: '<duration>',
    shownDefault: '60m',
    help: 'a dataset nobody used for this long is purged (e.g. 30m, 2h)',
    parse: parseDuration,
  }),
  define({
    key: 'datasetAbsoluteMs',
    config: 'datasetMaxAge',
    flag: 'dataset-max-age',
    env: 'TIDYVAULT_DATASET_MAX_AGE',
    arg: '<duration>',
    shownDefault: '24h',
    help: 'a dataset is purged this long after upload, used or not',
    parse: parseDuration,
  }),
  define({
    key: 'spillDirectory',
    config: 'spillDir',
    flag: 'spill-dir',
    env: 'TIDYVAULT_SPILL_DIR',
    arg: '<folder>',
    shownDefault: 'off (strict RAM)',
    help: 'let DuckDB spill to this private (0700, yours) folder under memory pressure; spill files are NOT encrypted, and /location lists them',
    parse: privateFolder,
  }),
  define({
    key: 'secretsKeyFile',
    config: 'secretsKeyFile',
    flag: 'secrets-key-file',
    env: 'TIDYVAULT_SECRETS_KEY_FILE',
    arg: '<file>',
    shownDefault: 'none: then TIDYVAULT_SECRETS_KEY, else no connections',
    help: "the secrets key (32 random bytes in base64, a 0600 file outside TIDYVAULT_HOME) that opens the PostgreSQL connections in secrets.json ('tidyvault secrets'); without one, imports from PostgreSQL are off",
    parse: filePath,
  }),
];

/** Flag names (without --) the serve command accepts: every setting plus --config. */
export const SETTING_FLAGS: readonly string[] = [...SETTINGS.map((s) => s.flag), 'config'];

/** Flags that may be given more than once (each adds a name). */
export const REPEATABLE_SETTING_FLAGS: ReadonlySet<string> = new Set(['allowed-host', 'oidc-admin-subject']);

export interface ResolvedSettings {
  /** `oidcClientSecret`: from TIDYVAULT_OIDC_CLIENT_SECRET (a secret file is read by serve). */
  options: Settable & { home: string; oidcClientSecret?: SecretValue };
  /** Where each setting that is not at its default came from. */
  sources: Partial<Record<keyof Settable, SettingSource>>;
  /** The config file read, if any. */
  configFile: string | undefined;
}

function readConfig(file: string, required: boolean): Record<string, unknown> | undefined {
  let body: string;
  try {
    body = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SettingsError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new SettingsError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new SettingsError(`${file}: must be a JSON object of settings`);
  const known = new Set(SETTINGS.map((s) => s.config));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key))
      throw new SettingsError(
        `${file}: unknown key "${key}"; the keys are ${[...known].map((k) => `"${k}"`).join(', ')}`,
      );
  }
  return parsed as Record<string, unknown>;
}

const given = (v: unknown) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);

/**
 * Resolve every serve setting: flag > TIDYVAULT_* environment > config file > default.
 * `flags` are the parsed command-line values by flag name (a repeatable flag gives an array).
 */
export function resolveSettings(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ResolvedSettings {
  const home = tidyvaultHome(env);
  const named =
    (given(flags.config) ? flags.config : undefined) ??
    (given(env.TIDYVAULT_CONFIG) ? env.TIDYVAULT_CONFIG : undefined);
  const configFile = named !== undefined ? path.resolve(cwd, String(named)) : path.join(home, 'config.json');
  const config = readConfig(configFile, named !== undefined);
  const options: Record<string, unknown> = { home };
  const sources: ResolvedSettings['sources'] = {};
  for (const s of SETTINGS) {
    let raw: unknown;
    let at: Origin | undefined;
    if (given(flags[s.flag])) {
      raw = flags[s.flag];
      at = { source: 'flag', label: `--${s.flag}`, base: cwd };
    } else if (given(env[s.env])) {
      raw = env[s.env];
      at = { source: 'environment', label: s.env, base: cwd };
    } else if (config && config[s.config] !== undefined && config[s.config] !== null) {
      raw = config[s.config];
      at = { source: 'config', label: `${configFile}: key "${s.config}"`, base: path.dirname(configFile) };
    }
    if (!at) continue;
    const value = s.parse(raw, at);
    if (value === undefined) continue;
    options[s.key] = value;
    sources[s.key] = at.source;
  }
  const o = options as ResolvedSettings['options'];
  o.host ??= '127.0.0.1';
  o.port ??= 5177;
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined))
    throw new SettingsError('tls-cert and tls-key go together: set both or neither');
  if (o.auth === 'oidc') oidcSettings(o, env);
  return { options: o, sources, configFile: config ? configFile : undefined };
}

/** auth oidc: what it needs, and the client secret from the environment. */
function oidcSettings(o: ResolvedSettings['options'], env: NodeJS.ProcessEnv): void {
  const missing = [
    ...(o.oidcIssuer === undefined ? ['oidc-issuer'] : []),
    ...(o.oidcClientId === undefined ? ['oidc-client-id'] : []),
  ];
  if (missing.length > 0) throw new SettingsError(`auth 'oidc' needs ${missing.join(' and ')}`);
  if (o.oidcClientSecretFile !== undefined && o.oidcClientSecretName !== undefined)
    throw new SettingsError('oidc-client-secret-file and oidc-client-secret-name are both set: use one');
  const secret = env[CLIENT_SECRET_ENV];
  if (given(secret)) {
    if (o.oidcClientSecretFile !== undefined || o.oidcClientSecretName !== undefined)
      throw new SettingsError(
        `the client secret is in ${CLIENT_SECRET_ENV} and oidc-client-secret-${o.oidcClientSecretFile !== undefined ? 'file' : 'name'} is set too: use one`,
      );
    o.oidcClientSecret = new SecretValue(String(secret).trim());
  }
  // The default redirect URI is the address listened on: right only when people reach the
  // server there (loopback, no proxy in front).
  const loopback = o.host === 'localhost' || o.host === '::1' || /^127\./.test(o.host);
  if (o.oidcRedirectUrl === undefined && (!loopback || o.trustProxy !== undefined))
    throw new SettingsError(
      "auth 'oidc' needs oidc-redirect-url (the address people reach this server at + /auth/oidc/callback) when it listens beyond loopback or behind a proxy",
    );
}

/** The settings part of `tidyvault serve --help`, made from SETTINGS so it cannot drift. */
export function settingsHelp(): string {
  const lines: string[] = [];
  for (const s of SETTINGS) {
    const left = `  --${s.flag} ${s.arg}`;
    lines.push(...wrap(left, s.help, 27, 100));
    lines.push(...wrap('', `default: ${s.shownDefault}; env ${s.env}; config "${s.config}"`, 27, 100));
  }
  return lines.join('\n');
}

function wrap(left: string, words: string, indent: number, width: number): string[] {
  const out: string[] = [];
  let line = left.length < indent ? left.padEnd(indent) : '';
  if (line === '' && left !== '') out.push(left);
  const pad = ' '.repeat(indent);
  for (const w of words.split(' ')) {
    const start = line === '' ? pad : line;
    if (start.length + w.length > width && start.trim() !== '' && start.length > indent) {
      out.push(start.trimEnd());
      line = pad + w + ' ';
    } else line = start + w + ' ';
  }
  out.push(line.trimEnd());
  return out;
}
