import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBDataChunk, VARCHAR } from './duckdb.js';
import {
  ClusterTables,
  missingKeyValuesQuery,
  packedDistinctCountsQuery,
  unpackDistinctCounts,
  unpackValues,
  type ClusterMethod,
  type ClusterParams,
} from '@tidyvault/core';
import { select, type Select } from '@tidyvault/sql';

/** DuckDB's vector size: the most rows one data chunk holds. */
const CHUNK_ROWS = 2048;

/**
 * The key and map tables cluster-merge SQL joins (core's ClusterTables), on the engine's
 * connection: values read packed into one string, rows appended through DuckDB's appender.
 */
export class ClusterKeys extends ClusterTables {
  constructor(private readonly connection: () => DuckDBConnection) {
    super();
  }

  protected async run(sql: string): Promise<void> {
    await this.connection().run(sql);
  }

  protected async missingValues(
    source: Select,
    column: string,
    method: ClusterMethod,
    params: ClusterParams,
  ): Promise<string[]> {
    const read = async (json: boolean) => {
      const r = await this.connection().runAndReadAll(
        select(missingKeyValuesQuery(source, column, method, params, json)),
      );
      const [packed, n] = r.getRowsJson()[0] ?? [null, 0];
      return unpackValues(packed as string | null, Number(n), json);
    };
    return (await read(false)) ?? (await read(true))!;
  }

  protected async distinctCounts(
    source: Select,
    column: string,
  ): Promise<{ value: string; count: number }[]> {
    const { values, counts } = await readDistinctCounts(this.connection(), source, column);
    return values.map((value, i) => ({ value, count: counts[i]! }));
  }

  protected async append(table: string, values: string[], keys: string[]): Promise<void> {
    if (values.length === 0) return;
    const appender = await this.connection().createAppender(table);
    try {
      for (let start = 0; start < values.length; start += CHUNK_ROWS) {
        const end = Math.min(values.length, start + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create([VARCHAR, VARCHAR], end - start);
        chunk.setColumnValues(0, values.slice(start, end));
        chunk.setColumnValues(1, keys.slice(start, end));
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }
}

/** Distinct non-NULL values (as text) of `column` in `source` and their row counts, read as one string. */
export async function readDistinctCounts(
  connection: DuckDBConnection,
  source: Select,
  column: string,
): Promise<{ values: string[]; counts: number[] }> {
  const read = async (json: boolean) => {
    const r = await connection.runAndReadAll(select(packedDistinctCountsQuery(source, column, json)));
    const [packed, n] = r.getRowsJson()[0] ?? [null, 0];
    return unpackDistinctCounts(packed as string | null, Number(n), json);
  };
  return (await read(false)) ?? (await read(true))!;
}
