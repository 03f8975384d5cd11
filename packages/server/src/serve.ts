import fs from 'node:fs';
import { NodeEngine } from '@tidyvault/engine-node';
import { buildApp } from './app.js';
import { openHomeAuditLog } from './audit/log.js';
import { Accounts } from './auth/accounts.js';
import { SETUP_TOKEN_TTL_MS } from './auth/mode.js';
import { loadSecrets } from './home.js';
import { checkBind, isLoopback, listen } from './listen.js';

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
  datasetIdleMs?: number;
  datasetAbsoluteMs?: number;
  /** A private folder DuckDB may spill to; spilling is off without it. */
  spillDirectory?: string;
  /** `single` (default): the one-time login link; `local`: accounts in `$TIDYVAULT_HOME/users.json`. */
  auth?: 'single' | 'local';
  logStream?: NodeJS.WritableStream;
}

export interface RunningServer {
  url: string;
  port: number;
  auth: 'single' | 'local';
  /**
   * Single-user mode: the one-time login link (its token dies on first use). Local accounts: the
   * server's address, where the web app's sign-in form is.
   */
  loginUrl: string;
  /** Local accounts with no enabled administrator: the one-time setup token for POST /api/auth/setup. */
  setupToken?: string;
  /** When the setup token stops working. */
  setupExpiresAt?: Date;
  close: () => Promise<void>;
}

/** Everything `tidyvault serve` does: secrets, sandboxed engine, app, listener, login link. */
export async function serve(o: ServeOptions): Promise<RunningServer> {
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) {
    throw new Error('--tls-cert and --tls-key go together');
  }
  const tls = o.tlsCert !== undefined && o.tlsKey !== undefined;
  const trustProxy = o.trustProxy !== undefined && o.trustProxy !== false;
  checkBind({ host: o.host, port: o.port, tls, trustProxy });
  const { secretKey } = loadSecrets(o.home);
  // Verified before anything else starts: a log that does not verify stops the start.
  const audit = openHomeAuditLog(o.home, secretKey);
  const auth = o.auth ?? 'single';
  const accounts = auth === 'local' ? new Accounts(o.home) : undefined;
  // A broken or exposed accounts file stops the start, naming the file.
  accounts?.list();
  const engine = await NodeEngine.open({
    ...(o.memoryLimit ? { memoryLimit: o.memoryLimit } : {}),
    ...(o.threads ? { threads: o.threads } : {}),
    ...(o.spillDirectory ? { spillDirectory: o.spillDirectory } : {}),
  });
  try {
    const hostName = o.host.includes(':') ? `[${o.host}]` : o.host;
    const t = await buildApp({
      engine,
      secretKey,
      audit,
      allowedHosts: [...(o.allowedHosts ?? []), ...(isLoopback(o.host) ? [] : [hostName])],
      ...(tls ? { tls: { cert: fs.readFileSync(o.tlsCert!), key: fs.readFileSync(o.tlsKey!) } } : {}),
      ...(trustProxy ? { trustProxy: o.trustProxy } : {}),
      ...(o.maxUploadBytes ? { maxUploadBytes: o.maxUploadBytes } : {}),
      ...(o.maxColumns ? { maxColumns: o.maxColumns } : {}),
      ...(o.maxCellBytes ? { maxCellBytes: o.maxCellBytes } : {}),
      ...(o.datasetIdleMs ? { datasetIdleMs: o.datasetIdleMs } : {}),
      ...(o.datasetAbsoluteMs ? { datasetAbsoluteMs: o.datasetAbsoluteMs } : {}),
      ...(o.logStream ? { logStream: o.logStream as never } : {}),
      auth,
      ...(accounts ? { accounts } : {}),
    });
    const { url, port } = await listen(t, { host: o.host, port: o.port, tls, trustProxy });
    // A wildcard bind has no name to link to; the local machine can always use localhost.
    const base =
      o.host === '0.0.0.0' || o.host === '::' ? url.replace(/\/\/.+:(\d+)$/, '//localhost:$1') : url;
    const loginUrl = auth === 'single' ? `${base}/auth/token?token=${t.issueLoginToken()}` : `${base}/`;
    const setupToken = t.issueSetupToken();
    return {
      url,
      port,
      auth,
      loginUrl,
      ...(setupToken ? { setupToken, setupExpiresAt: new Date(Date.now() + SETUP_TOKEN_TTL_MS) } : {}),
      close: async () => {
        await t.app.close();
        await engine.close();
        audit.close();
      },
    };
  } catch (e) {
    await engine.close();
    audit.close();
    throw e;
  }
}
