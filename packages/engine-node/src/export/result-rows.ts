import type { DuckDBConnection } from '@duckdb/node-api';
import type { Cell } from '@tidyvault/core';
import { select, type Select } from '@tidyvault/sql';
import { toCell } from '../values.js';

/**
 * The rows of `query`, streamed a DuckDB chunk (2,048 rows) at a time, as JSON-safe cells.
 * `counted` is told each chunk's size (to report how many rows were read).
 */
export async function* resultRows(
  connection: DuckDBConnection,
  query: Select,
  counted?: (rows: number) => void,
): AsyncGenerator<Cell[]> {
  const result = await connection.stream(select(query));
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    counted?.(chunk.rowCount);
    for (const row of chunk.getRows()) yield row.map(toCell);
  }
}
