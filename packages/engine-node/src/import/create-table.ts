import type { DuckDBConnection } from '@duckdb/node-api';
import { col, isNull, select, statement, type From, type Select, type SelectItem } from '@tidyvault/sql';

export async function createTableFrom(
  connection: DuckDBConnection,
  table: string,
  from: From,
  columns?: SelectItem[],
): Promise<void> {
  const query: Select = columns
    ? { kind: 'select', columns, from }
    : { kind: 'select', star: {}, columns: [], from };
  await connection.run(statement({ kind: 'createTable', name: table, query }));
}

async function count(connection: DuckDBConnection, query: Select): Promise<number> {
  const r = await connection.runAndReadAll(select(query));
  return Number(r.getRowsJson()[0]![0]);
}

/** Rows where the last column is NULL were padded (importers store empty fields as ''). */
export const countPaddedRows = (
  connection: DuckDBConnection,
  table: string,
  lastColumn: string,
): Promise<number> =>
  count(connection, {
    kind: 'select',
    columns: [{ expr: { kind: 'countStar' } }],
    from: { kind: 'table', name: table },
    where: isNull(col(lastColumn)),
  });

export const rowCount = (connection: DuckDBConnection, table: string): Promise<number> =>
  count(connection, {
    kind: 'select',
    columns: [{ expr: { kind: 'countStar' } }],
    from: { kind: 'table', name: table },
  });

export async function dropTable(connection: DuckDBConnection, table: string): Promise<void> {
  await connection.run(statement({ kind: 'dropTable', name: table, ifExists: true }));
}
