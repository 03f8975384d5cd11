import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { PostgresCredentials } from '../secrets/store.js';
import { PostgresError } from './errors.js';

export interface ConnectOptions {
  /** Told when the connection is not verified TLS (sslmode=disable); the CLI prints it, the server logs it. */
  onWarning?: (message: string) => void;
  /** Give up connecting after this long (default 15 s). */
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/** Node's codes for a certificate it would not accept, and what each means. */
const CERTIFICATE_PROBLEMS: Record<string, string> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'it is not issued for this host name',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'it is signed by a CA that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it is not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT: 'it is not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it is not signed by a trusted CA',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  CERT_REVOKED: 'it is revoked',
  CERT_UNTRUSTED: 'it is not trusted',
  INVALID_CA: 'its CA is not a valid CA',
};

export const where = (c: PostgresCredentials) => `${c.name} (${c.settings.host}:${c.settings.port})`;

/**
 * TLS settings for pg, from the connection's sslmode:
 * - verify-full (the default): TLS 1.2+, the server's certificate must chain to the connection's
 *   CA file (or, without one, to the system's trusted CAs) and name the host connected to (pg
 *   passes the host as the TLS servername, or for an IP address checks it against the
 *   certificate's IP names); anything else ends the connection before a byte of the login;
 * - disable: no TLS (the password and the data cross the network readable), only because the
 *   connection says so, with a warning each time.
 * There is no mode that encrypts without verifying (libpq's require): it stops a passive
 * listener but not a man in the middle, who then reads everything, password first.
 */
export function tlsOptions(c: PostgresCredentials, o: ConnectOptions = {}): ConnectionOptions | false {
  if (c.settings.sslmode === 'disable') {
    o.onWarning?.(
      `connection ${where(c)} has sslmode=disable: the password and the data travel unencrypted; use it only on a network you trust, and prefer verify-full with the server's CA`,
    );
    return false;
  }
  const tls: ConnectionOptions = { rejectUnauthorized: true, minVersion: 'TLSv1.2' };
  if (c.settings.caFile !== undefined) {
    try {
      tls.ca = fs.readFileSync(c.settings.caFile, 'utf8');
    } catch (e) {
      throw new PostgresError(
        'CA_FILE',
        `${where(c)}: the CA file ${c.settings.caFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return tls;
}

/** A connect error in words: what was refused, and what to do. */
export function connectError(e: unknown, c: PostgresCredentials): PostgresError {
  const err = e as Error & { code?: string; reason?: string };
  const code = err.code ?? '';
  const problem = CERTIFICATE_PROBLEMS[code];
  if (problem !== undefined || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) {
    const hint =
      c.settings.caFile === undefined
        ? "no CA file is set, so only the system's trusted CAs are accepted: give the CA that signs the server's certificate with --ca-file"
        : code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? `connect with a host name the certificate names (${err.reason ?? err.message})`
          : `check that ${c.settings.caFile} holds the CA that signs the server's certificate`;
    return new PostgresError(
      'TLS',
      `${where(c)}: TLS certificate verification failed — ${problem ?? err.message} (${code}); the connection was refused before the login was sent. ${hint}`,
    );
  }
  if (/does not support SSL/i.test(err.message))
    return new PostgresError(
      'TLS',
      `${where(c)}: the server does not offer TLS, and sslmode=verify-full requires it; turn on ssl in the server's postgresql.conf`,
    );
  if (code === '28P01' || code === '28000')
    return new PostgresError('AUTH', `${where(c)}: the server refused the login (${err.message})`);
  if (c.password === undefined && /SASL|password/i.test(err.message))
    return new PostgresError(
      'AUTH',
      `${where(c)}: the server asks for a password, and the connection has none; set it with 'tidyvault secrets set ${c.name} … --password-stdin'`,
    );
  if (code === '3D000') return new PostgresError('CONNECT', `${where(c)}: ${err.message}`);
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN'].includes(code))
    return new PostgresError('CONNECT', `${where(c)}: cannot connect (${code})`);
  if (/timeout/i.test(err.message))
    return new PostgresError('TIMEOUT', `${where(c)}: no answer within the connect timeout`);
  return new PostgresError('CONNECT', `${where(c)}: cannot connect (${err.message})`);
}

/**
 * A connected client. Every setting comes from the secrets store: the password is handed to pg
 * as a function, so pg never looks at PGPASSWORD or ~/.pgpass, and TLS is set explicitly, so
 * PGSSLMODE has no say.
 */
export async function connect(c: PostgresCredentials, o: ConnectOptions = {}): Promise<pg.Client> {
  const { password } = c;
  const client = new pg.Client({
    host: c.settings.host,
    port: c.settings.port,
    database: c.settings.database,
    user: c.settings.user,
    password: async () => password ?? '',
    ssl: tlsOptions(c, o),
    application_name: 'tidyvault',
    connectionTimeoutMillis: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  });
  // An error after connecting (the server going away) must not crash the process: the
  // query waiting on it fails instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw connectError(e, c);
  }
  return client;
}

/** A query error (SQLSTATE) in words. */
export function queryError(e: unknown, c: PostgresCredentials, doing: string): PostgresError {
  if (e instanceof PostgresError) return e;
  const err = e as Error & { code?: string };
  const code = err.code ?? '';
  if (code === '25006')
    return new PostgresError(
      'READ_ONLY',
      `${where(c)}: ${doing} tried to change the database (${err.message}); imports run in a read-only transaction, so nothing was changed`,
    );
  if (code === '57014')
    return new PostgresError(
      'TIMEOUT',
      `${where(c)}: ${doing} was stopped by the statement timeout (${err.message})`,
    );
  if (code === '42P07') return new PostgresError('TABLE_EXISTS', `${where(c)}: ${err.message}`);
  if (/^[0-9A-Z]{5}$/.test(code))
    return new PostgresError('QUERY', `${where(c)}: ${doing} failed: ${err.message}`);
  return new PostgresError('CONNECT', `${where(c)}: ${doing} failed: ${err.message}`);
}
