import type { DuckDBConnection } from '@duckdb/node-api';
import { statement } from '@tidyvault/sql';
import { dropTable } from './create-table.js';

/** One row of text cells; null or undefined (a missing cell) is NULL. */
export type TextRow = readonly (string | null | undefined)[];

/**
 * Load rows that JavaScript parsed (a workbook's sheet, a database cursor) into a new table of
 * text (VARCHAR) columns named `names`, through DuckDB's appender, in the order they come.
 * A row shorter than `names` is padded with NULL; the caller checks rows that are too long.
 * On any failure, the rows' own or DuckDB's, the table is dropped before the error is rethrown.
 * Returns how many rows were loaded.
 */
export async function loadTextRows(
  connection: DuckDBConnection,
  table: string,
  names: readonly string[],
  rows: AsyncIterable<TextRow>,
): Promise<number> {
  await connection.run(
    statement({
      kind: 'createEmptyTable',
      name: table,
      columns: names.map((n) => ({ name: n, type: 'VARCHAR' })),
    }),
  );
  let appender: Awaited<ReturnType<DuckDBConnection['createAppender']>> | undefined;
  try {
    appender = await connection.createAppender(table);
    let count = 0;
    for await (const cells of rows) {
      for (let i = 0; i < names.length; i++) {
        const v = cells[i];
        if (v === null || v === undefined) appender.appendNull();
        else appender.appendVarchar(v);
      }
      appender.endRow();
      count++;
    }
    appender.flushSync();
    return count;
  } catch (e) {
    appender?.closeSync();
    appender = undefined;
    await dropTable(connection, table);
    throw e;
  } finally {
    appender?.closeSync();
  }
}
