import { TidyvaultError } from '@tidyvault/core';

/**
 * Why a PostgreSQL import or export failed:
 * - TLS: the server's certificate was refused, or it offers no TLS (nothing was sent to it);
 * - CONNECT: it cannot be reached, or the database does not exist;
 * - AUTH: it refused the user or password;
 * - QUERY: the query or table is wrong (syntax, no such table, no privilege);
 * - READ_ONLY: the query tried to change something (imports run read-only);
 * - TABLE_EXISTS: an export's table exists already (exports make new tables only);
 * - TIMEOUT: the statement timeout or the connect timeout passed;
 * - LIMIT: more columns or bytes than allowed;
 * - CA_FILE: the connection's CA file cannot be read.
 */
export type PostgresReason =
  'TLS' | 'CONNECT' | 'AUTH' | 'QUERY' | 'READ_ONLY' | 'TABLE_EXISTS' | 'TIMEOUT' | 'LIMIT' | 'CA_FILE';

/** A refusal or failure of PostgreSQL; its message names the connection, never a password. */
export class PostgresError extends TidyvaultError {
  constructor(
    readonly reason: PostgresReason,
    message: string,
  ) {
    super(reason === 'LIMIT' ? 'IMPORT_LIMIT' : 'EXECUTION', message);
    this.name = 'PostgresError';
  }
}
