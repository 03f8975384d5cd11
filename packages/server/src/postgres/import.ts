import { TidyvaultError, type LoadedDataset } from '@tidyvault/core';
import type { NodeEngine, TextRow } from '@tidyvault/engine-node';
import type pg from 'pg';
import type { PostgresCredentials } from '../secrets/store.js';
import { connect, queryError, where, type ConnectOptions } from './client.js';
import { PostgresError } from './errors.js';
import { parseTableName, quoteTableName, showTableName } from './identifiers.js';

/** What to import: a whole table (`schema.table`), or the rows of a query that only reads. */
export type PostgresSource = { table: string } | { query: string };

export interface PostgresImportOptions extends ConnectOptions {
  /** Most columns (default: no limit). */
  maxColumns?: number;
  /** Most bytes of text (UTF-8) in all cells together (default: no limit). */
  maxBytes?: number;
  /** Each statement (the query, each fetch) is stopped after this long (default 5 min). */
  statementTimeoutMs?: number;
  /** Stops between fetches (a TidyvaultError CANCELLED); the transaction is rolled back. */
  signal?: AbortSignal;
}

const DEFAULT_STATEMENT_TIMEOUT_MS = 5 * 60_000;
/** Rows per FETCH: a few MB per round trip for ordinary rows. */
const FETCH_ROWS = 5_000;
const CURSOR = 'tidyvault_import';
const BOOL_OID = 16;

/** Every value as PostgreSQL's own text for it (numeric keeps all its digits), no JavaScript parsing. */
const asText = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** Leading whitespace and comments, then the first word, lower-cased. */
function firstWord(sql: string): string {
  let s = sql;
  for (;;) {
    const t = s.replace(/^\s+/, '');
    if (t.startsWith('--')) s = t.replace(/^--[^\n]*(\n|$)/, '');
    else if (t.startsWith('/*')) {
      const end = t.indexOf('*/');
      s = end < 0 ? '' : t.slice(end + 2);
    } else {
      s = t;
      break;
    }
  }
  return (/^[A-Za-z]+|^\(/.exec(s)?.[0] ?? '').toLowerCase();
}

/** The SELECT to read, and how the dataset is named. */
function sourceQuery(source: PostgresSource, c: PostgresCredentials): { sql: string; label: string } {
  if ('table' in source) {
    const t = parseTableName(source.table);
    return { sql: `SELECT * FROM ${quoteTableName(t)}`, label: `${c.name}: ${showTableName(t)}` };
  }
  const sql = source.query.trim().replace(/;\s*$/, '');
  if (!['select', 'with', 'values', 'table', '('].includes(firstWord(sql)))
    throw new PostgresError(
      'READ_ONLY',
      `${where(c)}: only a query that reads can be imported (SELECT, WITH … SELECT, VALUES or TABLE); nothing was run`,
    );
  return { sql, label: `${c.name}: query` };
}

/**
 * Import a table or a read-only query into a new dataset of text columns (PostgreSQL's text
 * form of each value; booleans as true/false; timestamps with time zone in UTC; NULL stays
 * NULL), streamed a few thousand rows at a time through a server-side cursor into the engine.
 * It all runs in one `BEGIN READ ONLY` transaction with a statement timeout, and the query is
 * declared as a cursor over the extended protocol: one statement only, and DECLARE takes only
 * a SELECT or VALUES without data-changing WITH parts; a function that writes fails on the
 * read-only transaction. The transaction is rolled back at the end: an import changes nothing.
 */
export async function importFromPostgres(
  engine: NodeEngine,
  c: PostgresCredentials,
  source: PostgresSource,
  o: PostgresImportOptions = {},
): Promise<LoadedDataset> {
  const { sql, label } = sourceQuery(source, c);
  const doing = 'table' in source ? `reading ${source.table.slice(0, 200)}` : 'the query';
  const cancelled = () => {
    if (o.signal?.aborted) throw new TidyvaultError('CANCELLED', `${where(c)}: the import was cancelled`);
  };
  cancelled();
  const client = await connect(c, o);
  try {
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query({
        text: "SELECT set_config('statement_timeout', $1, true), set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true), set_config('idle_in_transaction_session_timeout', $1, true)",
        values: [String(o.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS)],
      });
      await client.query({
        text: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql}`,
        queryMode: 'extended',
      } as pg.QueryConfig);
    } catch (e) {
      throw queryError(e, c, doing);
    }
    const fetch = async (): Promise<pg.QueryArrayResult<string[]>> => {
      cancelled();
      try {
        return await client.query<string[]>({
          text: `FETCH FORWARD ${FETCH_ROWS} FROM ${CURSOR}`,
          rowMode: 'array',
          types: asText,
        });
      } catch (e) {
        throw queryError(e, c, doing);
      }
    };
    const first = await fetch();
    const names = first.fields.map((f) => f.name);
    if (o.maxColumns !== undefined && names.length > o.maxColumns)
      throw new PostgresError(
        'LIMIT',
        `${where(c)}: ${doing} has ${names.length} columns; at most ${o.maxColumns} can be imported`,
      );
    const booleans = first.fields.map((f) => f.dataTypeID === BOOL_OID);
    let bytes = 0;
    const convert = (row: (string | null)[]): TextRow => {
      for (let i = 0; i < row.length; i++) {
        const v = row[i];
        if (v === null || v === undefined) continue;
        if (booleans[i]) row[i] = v === 't' ? 'true' : v === 'f' ? 'false' : v;
        bytes += Buffer.byteLength(v);
      }
      if (o.maxBytes !== undefined && bytes > o.maxBytes)
        throw new PostgresError(
          'LIMIT',
          `${where(c)}: ${doing} returns more than ${o.maxBytes.toLocaleString('en-US')} bytes of data, the most that can be imported`,
        );
      return row;
    };
    async function* rows(): AsyncGenerator<TextRow> {
      let batch = first;
      for (;;) {
        for (const row of batch.rows) yield convert(row);
        if (batch.rows.length < FETCH_ROWS) return;
        batch = await fetch();
      }
    }
    const dataset = await engine.importRows(label, names, rows());
    await client.query('ROLLBACK').catch(() => undefined);
    return dataset;
  } finally {
    await client.end().catch(() => undefined);
  }
}
