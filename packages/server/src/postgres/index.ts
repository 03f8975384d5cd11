export { PostgresError, type PostgresReason } from './errors.js';
export { connect, tlsOptions, type ConnectOptions } from './client.js';
export { parseTableName, quoteTableName, showTableName, type TableName } from './identifiers.js';
export { importFromPostgres, type PostgresImportOptions, type PostgresSource } from './import.js';
export { exportToPostgres, POSTGRES_TYPES, type PostgresExportOptions } from './export.js';
