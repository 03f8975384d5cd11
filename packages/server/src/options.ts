import type { Writable } from 'node:stream';
import { usableMemory, type NodeEngine } from '@tidyvault/engine-node';
import { AuditLog } from './audit/log.js';
import type { Accounts } from './auth/accounts.js';
import type { OidcOptions } from './auth/oidc/options.js';
import type { SecretsStore } from './secrets/store.js';
import type { ThrottleOptions } from './auth/throttle.js';
import { EXPORT_HOLD_MS } from './datasets/prepared-exports.js';
import { defaultWebRoot } from './web.js';

/** Milliseconds since the epoch; injectable so expiry can be tested without waiting. */
export type Clock = () => number;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const GIB = 2 ** 30;

export interface ServerOptions {
  /** The sandboxed engine datasets live in; the app does not close it. */
  engine: NodeEngine;
  /** Key for deriving CSRF tokens (32+ random bytes, from $TIDYVAULT_HOME). */
  secretKey: Buffer;
  /** Host header names accepted besides localhost, 127.0.0.1 and [::1] (DNS-rebinding defence). */
  allowedHosts?: string[];
  /** Serve HTTPS with these PEM files' contents (TLS 1.2+, HSTS, Secure cookie). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Behind a TLS-terminating proxy at these addresses (Fastify trustProxy); cookie gets Secure. */
  trustProxy?: string | string[] | boolean;
  clock?: Clock;
  /** Upload cap in bytes (default 2 GiB). */
  maxUploadBytes?: number;
  /**
   * Admission control: the bytes all live datasets' tables may hold together (default: two
   * thirds of the engine's memory limit; a third of the machine's memory by default). An upload
   * that would pass it gets 507 before its body is read (by Content-Length) or once it is.
   */
  maxResidentBytes?: number;
  /**
   * What one user's datasets may hold together (their tables' bytes), so that one user cannot
   * take the memory everyone shares: 507 `USER_MEMORY_FULL` past it. Default: half of
   * `maxResidentBytes` with accounts (`local`, `oidc`); none in single-user mode.
   */
  maxUserBytes?: number;
  /** Most columns an upload may have (default 1,000). */
  maxColumns?: number;
  /** Longest cell of an upload, in UTF-8 bytes (default 1 MiB). */
  maxCellBytes?: number;
  /** Uploads and imports received or loaded at once on the server before 429 (default 4). */
  maxConcurrentUploads?: number;
  /** The same, for one user (default 2). */
  maxUploadsPerUser?: number;
  /** API requests a session may make per minute before 429 (default 300; 0: no limit). */
  apiRequestsPerMinute?: number;
  /**
   * An upload's body must bring at least `minBytes` in every `windowMs` (default 64 KiB in 30 s),
   * else it is stopped with 408: a trickle would hold its slot until the request timeout.
   */
  uploadPace?: { windowMs: number; minBytes: number };
  datasetIdleMs?: number;
  datasetAbsoluteMs?: number;
  sessionIdleMs?: number;
  sessionAbsoluteMs?: number;
  /** How often the expiry sweep runs (default 1 min). */
  sweepIntervalMs?: number;
  /** Where logs go (default stdout); tests capture them. */
  logStream?: Writable;
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /**
   * Materialise recipe states as engine tables and reuse them (default true). Off only to
   * measure the difference: every read then runs the whole recipe again.
   */
  cacheRecipeStates?: boolean;
  /** Whole-request receipt limit (default 30 min, for 2 GiB on slow links). */
  requestTimeoutMs?: number;
  /** How long a request body other than an upload may take to arrive (default 60 s). */
  bodyDeadlineMs?: number;
  /**
   * A Vite build (`index.html` + `assets/`) to serve at `/` and `/assets/*`. Default: the `dist`
   * folder of the `@tidyvault/web` package when it is installed and built, else none. `false`:
   * none. Without a web app, `GET /` answers JSON (who is signed in, where the API is).
   */
  webRoot?: string | false;
  /**
   * The audit log (`tidyvault serve`: `$TIDYVAULT_HOME/audit.db`); the app does not close it.
   * Default: a log in memory that the app closes (tests, embedding).
   */
  audit?: AuditLog;
  /**
   * How people sign in: `single` (default) — one user, by the one-time login link; `local` —
   * accounts with passwords, kept in `accounts`; `oidc` — single sign-on with the provider of
   * `oidc`, onto the accounts of `accounts`.
   */
  auth?: 'single' | 'local' | 'oidc';
  /** The accounts (`$TIDYVAULT_HOME/users.json`); required with `auth: 'local'` and `'oidc'`. */
  accounts?: Accounts;
  /** The OpenID Connect provider and client; required with `auth: 'oidc'`. */
  oidc?: OidcOptions;
  /** Data-source connections (`tidyvault secrets`), opened with the secrets key; none without. */
  secrets?: SecretsStore;
  /** Login throttling parameters (defaults in auth/throttle.ts). */
  loginThrottle?: Omit<ThrottleOptions, 'clock'>;
  /** How long an export prepared by `POST /api/datasets/:id/exports` waits for its download (default 1 min). */
  exportHoldMs?: number;
}

export interface ResolvedOptions extends Required<
  Omit<
    ServerOptions,
    | 'tls'
    | 'trustProxy'
    | 'logStream'
    | 'allowedHosts'
    | 'webRoot'
    | 'accounts'
    | 'loginThrottle'
    | 'oidc'
    | 'secrets'
    | 'maxUserBytes'
  >
> {
  maxUserBytes: number | undefined;
  accounts: Accounts | undefined;
  oidc: OidcOptions | undefined;
  secrets: SecretsStore | undefined;
  loginThrottle: Omit<ThrottleOptions, 'clock'>;
  /** The web app's folder, or undefined to serve none. */
  webRoot: string | undefined;
  tls: ServerOptions['tls'];
  trustProxy: ServerOptions['trustProxy'];
  logStream: Writable | undefined;
  allowedHosts: string[];
  /** Cookies and HSTS assume HTTPS (own TLS or a trusted proxy). */
  secure: boolean;
}

/**
 * Two thirds of DuckDB's memory limit (which defaults to half the memory the process may use),
 * so that queries keep a third for their work; a third of that memory if the limit is unreadable.
 */
const defaultResidentBytes = (engine: NodeEngine) => {
  const limit = engine.memoryLimitBytes;
  return Math.floor(limit !== undefined ? (limit * 2) / 3 : usableMemory() / 3);
};

export function resolveOptions(o: ServerOptions): ResolvedOptions {
  const maxResidentBytes = o.maxResidentBytes ?? defaultResidentBytes(o.engine);
  return {
    engine: o.engine,
    secretKey: o.secretKey,
    allowedHosts: o.allowedHosts ?? [],
    tls: o.tls,
    trustProxy: o.trustProxy,
    clock: o.clock ?? Date.now,
    maxUploadBytes: o.maxUploadBytes ?? 2 * GIB,
    maxConcurrentUploads: o.maxConcurrentUploads ?? 4,
    maxUploadsPerUser: o.maxUploadsPerUser ?? 2,
    apiRequestsPerMinute: o.apiRequestsPerMinute ?? 300,
    uploadPace: o.uploadPace ?? { windowMs: 30_000, minBytes: 64 * 1024 },
    maxColumns: o.maxColumns ?? 1_000,
    maxCellBytes: o.maxCellBytes ?? 2 ** 20,
    maxResidentBytes,
    maxUserBytes:
      o.maxUserBytes ?? ((o.auth ?? 'single') === 'single' ? undefined : Math.floor(maxResidentBytes / 2)),
    datasetIdleMs: o.datasetIdleMs ?? 60 * MINUTE,
    datasetAbsoluteMs: o.datasetAbsoluteMs ?? 24 * HOUR,
    sessionIdleMs: o.sessionIdleMs ?? 30 * MINUTE,
    sessionAbsoluteMs: o.sessionAbsoluteMs ?? 12 * HOUR,
    sweepIntervalMs: o.sweepIntervalMs ?? MINUTE,
    logStream: o.logStream,
    logLevel: o.logLevel ?? 'info',
    requestTimeoutMs: o.requestTimeoutMs ?? 30 * MINUTE,
    bodyDeadlineMs: o.bodyDeadlineMs ?? MINUTE,
    cacheRecipeStates: o.cacheRecipeStates ?? true,
    exportHoldMs: o.exportHoldMs ?? EXPORT_HOLD_MS,
    webRoot: o.webRoot === undefined ? defaultWebRoot() : o.webRoot || undefined,
    audit: o.audit ?? AuditLog.memory(o.secretKey, { clock: o.clock ?? Date.now }),
    auth: o.auth ?? 'single',
    accounts: o.accounts,
    oidc: o.oidc,
    secrets: o.secrets,
    loginThrottle: o.loginThrottle ?? {},
    secure: o.tls !== undefined || (o.trustProxy !== undefined && o.trustProxy !== false),
  };
}
