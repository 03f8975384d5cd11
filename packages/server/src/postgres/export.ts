import type { Cell, Column, ColumnType, LoadedDataset, Recipe } from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import pg from 'pg';
import type { PostgresCredentials } from '../secrets/store.js';
import { connect, queryError, where, type ConnectOptions } from './client.js';
import { PostgresError } from './errors.js';
import { MAX_IDENTIFIER_BYTES, parseTableName, quoteTableName, showTableName } from './identifiers.js';

export interface PostgresExportOptions extends ConnectOptions {
  /** Each statement is stopped after this long (default 30 min). */
  statementTimeoutMs?: number;
}

const DEFAULT_STATEMENT_TIMEOUT_MS = 30 * 60_000;
/** PostgreSQL's limit on bound parameters in one statement. */
const MAX_PARAMETERS = 65_535;
const MAX_BATCH_ROWS = 1_000;

/** The column types of the new table, from the recipe's column types. */
export const POSTGRES_TYPES: Record<ColumnType, string> = {
  text: 'text',
  number: 'double precision',
  integer: 'bigint',
  date: 'date',
};

const param = (v: Cell): string | null => (v === null ? null : String(v));

function insertSql(table: string, columns: string, width: number, rows: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const ps: string[] = [];
    for (let c = 1; c <= width; c++) ps.push(`$${r * width + c}`);
    tuples.push(`(${ps.join(',')})`);
  }
  return `INSERT INTO ${table} (${columns}) VALUES ${tuples.join(',')}`;
}

/**
 * Export the dataset, after its recipe, to a NEW table: CREATE TABLE (never IF NOT EXISTS: an
 * existing table is refused, not appended to or replaced) with a column per recipe column
 * (text, double precision, bigint or date), then batched INSERTs with bound parameters (values
 * never become SQL text; identifiers are quoted by pg's escapeIdentifier), all in one
 * transaction: a failure part-way leaves no table. TLS as for imports.
 */
export async function exportToPostgres(
  engine: NodeEngine,
  dataset: LoadedDataset,
  recipe: Recipe,
  c: PostgresCredentials,
  newTable: string,
  o: PostgresExportOptions = {},
): Promise<{ rows: number; columns: Column[]; table: string }> {
  const target = parseTableName(newTable);
  const shown = showTableName(target);
  const table = quoteTableName(target);
  const client = await connect(c, o);
  try {
    return await engine.exportRows(dataset, recipe, async (columns, rows) => {
      for (const col of columns)
        if (Buffer.byteLength(col.name) > MAX_IDENTIFIER_BYTES || col.name.includes('\u0000'))
          throw new PostgresError(
            'QUERY',
            `${where(c)}: the column name "${col.name.slice(0, 80)}" is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES} bytes; rename it in the recipe (rename-columns)`,
          );
      const doing = `exporting to ${shown}`;
      const run = async (q: pg.QueryConfig) => {
        try {
          return await client.query(q);
        } catch (e) {
          throw queryError(e, c, doing);
        }
      };
      await run({ text: 'BEGIN' });
      try {
        await run({
          text: "SELECT set_config('statement_timeout', $1, true)",
          values: [String(o.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS)],
        });
        const definitions = columns.map(
          (col) => `${pg.escapeIdentifier(col.name)} ${POSTGRES_TYPES[col.type]}`,
        );
        try {
          await client.query(`CREATE TABLE ${table} (${definitions.join(', ')})`);
        } catch (e) {
          if ((e as { code?: string }).code === '42P07')
            throw new PostgresError(
              'TABLE_EXISTS',
              `${where(c)}: the table ${shown} already exists; an export makes a new table and never changes one (drop it, or choose another name)`,
            );
          throw queryError(e, c, doing);
        }
        const names = columns.map((col) => pg.escapeIdentifier(col.name)).join(', ');
        const width = columns.length;
        const perBatch = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMETERS / width)));
        const full = insertSql(table, names, width, perBatch);
        let batch: (string | null)[] = [];
        let count = 0;
        const flush = async (n: number) => {
          if (n === 0) return;
          // Full batches reuse one prepared statement.
          await run(
            n === perBatch
              ? { name: 'tidyvault_export_batch', text: full, values: batch }
              : { text: insertSql(table, names, width, n), values: batch },
          );
          batch = [];
        };
        let inBatch = 0;
        for await (const row of rows) {
          for (const v of row) batch.push(param(v));
          count++;
          if (++inBatch === perBatch) {
            await flush(inBatch);
            inBatch = 0;
          }
        }
        await flush(inBatch);
        await run({ text: 'COMMIT' });
        return { rows: count, columns, table: shown };
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
