import fs from 'node:fs';
import { NodeEngine } from '@tidyvault/engine-node';
import { buildApp } from './app.js';
import { openHomeAuditLog } from './audit/log.js';
import { Accounts } from './auth/accounts.js';
import { SETUP_TOKEN_TTL_MS } from './auth/mode.js';
import { readClientSecret, type SecretValue } from './auth/oidc/client-secret.js';
import { OidcIdentities } from './auth/oidc/identities.js';
import type { OidcOptions } from './auth/oidc/options.js';
import { loadSecrets } from './home.js';
import { openSecrets } from './secrets/open.js';
import type { SecretsStore } from './secrets/store.js';
import { checkBind, listen } from './listen.js';
import { installEgressGuard } from './security/egress-guard.js';
import { hardenResidualMemory, keepDebuggerClosed } from './security/residual-memory.js';
import { defaultWebRoot } from './web.js';

export interface ServeOptions {
  host: string;
  port: number;
  home: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Addresses of a TLS-terminating proxy in front (or true for any); allows a non-loopback bind. */
  trustProxy?: string | boolean;
  /** Extra Host header names to answer for (e.g. the proxy's public name). */
  allowedHosts?: string[];
  memoryLimit?: string;
  threads?: number;
  maxUploadBytes?: number;
  /** Most columns an upload may have (default 1,000). */
  maxColumns?: number;
  /** Longest cell in UTF-8 bytes (default 1 MiB). */
  maxCellBytes?: number;
  /** Uploads and database imports at once on the server before 429 (default 4). */
  maxConcurrentUploads?: number;
  /** The same, for one user (default 2). */
  maxUploadsPerUser?: number;
  /** What one user's datasets may hold (default: half the budget with accounts; none in single mode). */
  maxUserBytes?: number;
  /** API requests per session per minute (default 300; 0: no limit). */
  apiRequestsPerMinute?: number;
  datasetIdleMs?: number;
  datasetAbsoluteMs?: number;
  /** A private folder DuckDB may spill to; spilling is off without it. */
  spillDirectory?: string;
  /** The secrets key's file (else TIDYVAULT_SECRETS_KEY): opens the PostgreSQL connections. */
  secretsKeyFile?: string;
  /**
   * `single` (default): the one-time login link; `local`: accounts in `$TIDYVAULT_HOME/users.json`;
   * `oidc`: single sign-on (the oidc* options) onto those accounts.
   */
  auth?: 'single' | 'local' | 'oidc';
  oidcIssuer?: string;
  oidcClientId?: string;
  /** A file (0600, ours) holding the client secret; read at start. */
  oidcClientSecretFile?: string;
  /** The client secret itself (from TIDYVAULT_OIDC_CLIENT_SECRET); not with oidcClientSecretFile. */
  oidcClientSecret?: SecretValue;
  /** The name of a secret value in the secrets store holding the client secret (`tidyvault secrets set-value`). */
  oidcClientSecretName?: string;
  oidcRedirectUrl?: string;
  oidcScopes?: string[];
  oidcProviderName?: string;
  oidcAdminSubjects?: string[];
  logStream?: NodeJS.WritableStream;
}

/** The OIDC options of `serve`, the client secret read from its file (the secrets-store hook is there). */
function oidcOptions(o: ServeOptions, secrets: SecretsStore | undefined): OidcOptions {
  if (o.oidcIssuer === undefined || o.oidcClientId === undefined)
    throw new Error("auth 'oidc' needs the issuer and the client id");
  const given = [o.oidcClientSecretFile, o.oidcClientSecret, o.oidcClientSecretName].filter(
    (x) => x !== undefined,
  ).length;
  if (given > 1)
    throw new Error(
      'the OIDC client secret is given twice (a file, the environment or the secrets store): use one',
    );
  const clientSecret =
    o.oidcClientSecretFile !== undefined
      ? readClientSecret({ kind: 'file', path: o.oidcClientSecretFile })
      : o.oidcClientSecretName !== undefined
        ? readClientSecret({ kind: 'store', name: o.oidcClientSecretName, store: secrets })
        : o.oidcClientSecret;
  return {
    issuer: o.oidcIssuer,
    clientId: o.oidcClientId,
    ...(clientSecret ? { clientSecret } : {}),
    ...(o.oidcRedirectUrl ? { redirectUrl: o.oidcRedirectUrl } : {}),
    ...(o.oidcScopes ? { scopes: o.oidcScopes } : {}),
    ...(o.oidcProviderName ? { providerName: o.oidcProviderName } : {}),
    ...(o.oidcAdminSubjects ? { adminSubjects: o.oidcAdminSubjects } : {}),
  };
}

export interface RunningServer {
  url: string;
  port: number;
  auth: 'single' | 'local' | 'oidc';
  /**
   * Single-user mode: the one-time login link (its token dies on first use). Local accounts and
   * single sign-on: the server's address, where the web app's sign-in form or button is.
   */
  loginUrl: string;
  /** Local accounts with no enabled administrator: the one-time setup token for POST /api/auth/setup. */
  setupToken?: string;
  /** When the setup token stops working. */
  setupExpiresAt?: Date;
  /** Single sign-on: no enabled administrator exists and no admin subject is configured. */
  noAdministrator?: boolean;
  /** What could not be made safe at the start (core dumps left on), for the operator. */
  warnings: string[];
  close: () => Promise<void>;
}

/** The operator's warning when there is no web app to serve (the server then answers the API only). */
export function webAppMissing(root: string | undefined): string | undefined {
  return root === undefined
    ? 'the web workbench is not built, so this server answers the API only (the login link signs in, then shows JSON): run npm run build -w @tidyvault/web (npm install builds it)'
    : undefined;
}

/** Everything `tidyvault serve` does: secrets, sandboxed engine, app, listener, login link. */
export async function serve(o: ServeOptions): Promise<RunningServer> {
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) {
    throw new Error('--tls-cert and --tls-key go together');
  }
  const tls = o.tlsCert !== undefined && o.tlsKey !== undefined;
  const trustProxy = o.trustProxy !== undefined && o.trustProxy !== false;
  checkBind({ host: o.host, port: o.port, tls, trustProxy });
  const warnings = hardenResidualMemory();
  const noWebApp = webAppMissing(defaultWebRoot());
  if (noWebApp) warnings.push(noWebApp);
  const { secretKey } = loadSecrets(o.home);
  // Verified before anything else starts: a log that does not verify stops the start.
  const audit = openHomeAuditLog(o.home, secretKey);
  const auth = o.auth ?? 'single';
  const opened = await (async () => {
    const accounts = auth === 'local' || auth === 'oidc' ? new Accounts(o.home) : undefined;
    // A broken or exposed accounts file stops the start, naming the file.
    accounts?.list();
    // So do a broken identities file and an unreadable or exposed client secret file.
    // A key that is weak, exposed, kept in the data folder or not the store's stops the start.
    const secrets = openSecrets(o.home, o.secretsKeyFile);
    const oidc = auth === 'oidc' ? oidcOptions(o, secrets) : undefined;
    if (oidc) new OidcIdentities(o.home).list();
    const engine = await NodeEngine.open({
      // Datasets stay for hours: their tables are compressed (in memory) once made.
      compressTables: true,
      ...(o.memoryLimit ? { memoryLimit: o.memoryLimit } : {}),
      ...(o.threads ? { threads: o.threads } : {}),
      ...(o.spillDirectory ? { spillDirectory: o.spillDirectory } : {}),
    });
    return { accounts, secrets, oidc, engine };
  })().catch((e: unknown) => {
    // A refused start leaves nothing open.
    audit.close();
    throw e;
  });
  const { accounts, secrets, oidc, engine } = opened;
  try {
    const hostName = o.host.includes(':') ? `[${o.host}]` : o.host;
    const t = await buildApp({
      engine,
      secretKey,
      audit,
      allowedHosts: [
        ...(o.allowedHosts ?? []),
        // The address it binds answers, including a loopback other than 127.0.0.1 (127.0.0.2).
        ...(o.host === '0.0.0.0' || o.host === '::' ? [] : [hostName]),
        // The provider sends browsers back to the redirect URI's host.
        ...(oidc?.redirectUrl ? [new URL(oidc.redirectUrl).hostname] : []),
      ],
      ...(tls ? { tls: { cert: fs.readFileSync(o.tlsCert!), key: fs.readFileSync(o.tlsKey!) } } : {}),
      ...(trustProxy ? { trustProxy: o.trustProxy } : {}),
      ...(o.maxUploadBytes ? { maxUploadBytes: o.maxUploadBytes } : {}),
      ...(o.maxColumns ? { maxColumns: o.maxColumns } : {}),
      ...(o.maxCellBytes ? { maxCellBytes: o.maxCellBytes } : {}),
      ...(o.maxConcurrentUploads ? { maxConcurrentUploads: o.maxConcurrentUploads } : {}),
      ...(o.maxUploadsPerUser ? { maxUploadsPerUser: o.maxUploadsPerUser } : {}),
      ...(o.maxUserBytes ? { maxUserBytes: o.maxUserBytes } : {}),
      ...(o.apiRequestsPerMinute !== undefined ? { apiRequestsPerMinute: o.apiRequestsPerMinute } : {}),
      ...(o.datasetIdleMs ? { datasetIdleMs: o.datasetIdleMs } : {}),
      ...(o.datasetAbsoluteMs ? { datasetAbsoluteMs: o.datasetAbsoluteMs } : {}),
      ...(o.logStream ? { logStream: o.logStream as never } : {}),
      auth,
      ...(accounts ? { accounts } : {}),
      ...(oidc ? { oidc } : {}),
      ...(secrets ? { secrets } : {}),
    });
    const removeGuard = installEgressGuard({ allowed: t.egressAllowed, onBlocked: t.egressBlocked });
    const allowDebugger = keepDebuggerClosed(() =>
      t.app.log.warn({ op: 'signal.sigusr1' }, 'SIGUSR1 ignored: the debugger stays closed'),
    );
    const { url, port } = await listen(t, { host: o.host, port: o.port, tls, trustProxy }).catch(
      (e: unknown) => {
        removeGuard();
        allowDebugger();
        throw e;
      },
    );
    // Behind a TLS proxy the link must go through it (a direct request is refused): its public
    // name. A wildcard bind has no name to link to; the local machine can always use localhost.
    const viaProxy =
      trustProxy && !tls
        ? oidc?.redirectUrl
          ? new URL(oidc.redirectUrl).origin
          : o.allowedHosts?.[0]
            ? `https://${o.allowedHosts[0]}`
            : undefined
        : undefined;
    const base =
      viaProxy ??
      (o.host === '0.0.0.0' || o.host === '::' ? url.replace(/\/\/.+:(\d+)$/, '//localhost:$1') : url);
    const loginUrl = auth === 'single' ? `${base}/auth/token?token=${t.issueLoginToken()}` : `${base}/`;
    const setupToken = t.issueSetupToken();
    return {
      url,
      port,
      auth,
      loginUrl,
      ...(setupToken ? { setupToken, setupExpiresAt: new Date(Date.now() + SETUP_TOKEN_TTL_MS) } : {}),
      ...(oidc && !accounts!.hasAdmin() && !oidc.adminSubjects?.length ? { noAdministrator: true } : {}),
      warnings,
      close: async () => {
        // In-flight requests end now rather than when their queries would (an export of 10M
        // rows, a recipe state being made): interrupted, they answer with an error, and
        // closing the engine never waits on a query still running.
        engine.interrupt();
        const again = setInterval(() => engine.interrupt(), 100);
        try {
          await t.app.close();
        } finally {
          clearInterval(again);
        }
        engine.interrupt();
        await engine.close();
        audit.close();
        removeGuard();
        allowDebugger();
      },
    };
  } catch (e) {
    await engine.close();
    audit.close();
    throw e;
  }
}
