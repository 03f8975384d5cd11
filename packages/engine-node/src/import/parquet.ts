import { call, cast, col, lit, select, type Expr, type From } from '@tidyvault/sql';
import { repairHeaderNames, TidyvaultError, type Column } from '@tidyvault/core';
import { createTableFrom, rowCount } from './create-table.js';
import type { ImportContext, ImportResult } from './types.js';

const NESTED = /^(STRUCT|MAP|UNION)\(|\[\d*\]$/;

/** Parquet columns become text: scalars in DuckDB's text form (dates ISO), nested values as JSON. */
export async function importParquet(file: string, ctx: ImportContext): Promise<ImportResult> {
  const name = ctx.displayName;
  const from: From = { kind: 'tableFunction', fn: 'read_parquet', args: [lit(file)] };
  let names: string[];
  let types: string[];
  try {
    const probe = await ctx.connection.runAndReadAll(
      select({ kind: 'select', star: {}, columns: [], from, limit: 0 }),
    );
    names = probe.columnNames();
    types = probe.columnTypes().map((t) => t.toString());
  } catch (e) {
    const first = (e as Error).message.split('\n')[0]!.replace(/^[A-Za-z ]+Error: /, '');
    throw new TidyvaultError('IMPORT_FORMAT', `${name}: not a valid Parquet file (${first})`, { file: name });
  }
  const repaired = repairHeaderNames(names, { caseInsensitive: true });
  const text = (n: string, t: string): Expr =>
    t === 'VARCHAR'
      ? col(n)
      : NESTED.test(t)
        ? cast(call('to_json', col(n)), 'VARCHAR')
        : cast(col(n), 'VARCHAR');
  await createTableFrom(
    ctx.connection,
    ctx.table,
    from,
    names.map((n, i) => ({ expr: text(n, types[i]!), as: repaired[i]! })),
  );
  const columns: Column[] = repaired.map((n) => ({ name: n, type: 'text' }));
  return { columns, rowCount: await rowCount(ctx.connection, ctx.table), warnings: [] };
}
