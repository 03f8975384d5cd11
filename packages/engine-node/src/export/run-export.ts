import type { DuckDBConnection } from '@duckdb/node-api';
import {
  delimitedCopyOptions,
  exportColumns,
  exportQuery,
  TidyvaultError,
  type Column,
} from '@tidyvault/core';
import { statement, type LiteralValue, type Select } from '@tidyvault/sql';
import { writeXlsx } from '../xlsx/write-xlsx.js';
import { resultRows } from './result-rows.js';
import { guardsFormulas, type OutputFormat } from './formats.js';

export interface ExportOptions {
  format: OutputFormat;
  /** Neutralise spreadsheet formulas in text cells (CSV, TSV, XLSX). Default true. */
  formulaGuard?: boolean;
  /**
   * Stops an XLSX export between chunks of rows (the client left): it is built row by row in
   * JavaScript and can take seconds. DuckDB's own writers (COPY) run to the end.
   */
  signal?: AbortSignal;
}

async function* untilAborted<T>(rows: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  let n = 0;
  for await (const row of rows) {
    if (++n % 2048 === 0 && signal?.aborted) throw new TidyvaultError('CANCELLED', 'export cancelled');
    yield row;
  }
}

const COPY_OPTIONS: Record<Exclude<OutputFormat, 'xlsx' | 'csv' | 'tsv'>, Record<string, LiteralValue>> = {
  json: { FORMAT: 'json', ARRAY: true },
  ndjson: { FORMAT: 'json' },
  parquet: { FORMAT: 'parquet', COMPRESSION: 'zstd' },
};

export async function runExport(
  connection: DuckDBConnection,
  query: Select,
  columns: Column[],
  file: string,
  o: ExportOptions,
): Promise<number> {
  const guard = (o.formulaGuard ?? true) && guardsFormulas(o.format);
  const q = exportQuery(query, columns, guard, o.format === 'csv' || o.format === 'tsv');
  if (o.format !== 'xlsx') {
    const options =
      o.format === 'csv' || o.format === 'tsv'
        ? delimitedCopyOptions(o.format, columns, guard)
        : COPY_OPTIONS[o.format];
    const copied = await connection.run(statement({ kind: 'copyTo', query: q, path: file, options }));
    return copied.rowsChanged;
  }
  let written = 0;
  // The guard already ran in SQL; the writer must not add a second apostrophe.
  await writeXlsx(
    file,
    exportColumns(columns, guard),
    untilAborted(
      resultRows(connection, q, (n) => (written += n)),
      o.signal,
    ),
    { formulaGuard: false },
  );
  return written;
}
