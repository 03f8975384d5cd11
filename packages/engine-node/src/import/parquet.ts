import fs from 'node:fs';
import { call, cast, col, lit, select, type Expr, type From } from '@tidyvault/sql';
import {
  isOutOfMemory,
  parquetFrameProblem,
  repairHeaderNames,
  TidyvaultError,
  withoutPath,
  type Column,
} from '@tidyvault/core';
import { createTableFrom, rowCount } from './create-table.js';
import type { ImportContext, ImportResult } from './types.js';

const NESTED = /^(STRUCT|MAP|UNION)\(|\[\d*\]$/;

/** Parquet columns become text: scalars in DuckDB's text form (dates ISO), nested values as JSON. */
function frameProblem(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = new Uint8Array(4);
    const tail = new Uint8Array(8);
    fs.readSync(fd, head, 0, 4, 0);
    if (size >= 8) fs.readSync(fd, tail, 0, 8, size - 8);
    return parquetFrameProblem(size, head, tail);
  } finally {
    fs.closeSync(fd);
  }
}

export async function importParquet(file: string, ctx: ImportContext): Promise<ImportResult> {
  const name = ctx.displayName;
  const invalid = (detail: string) =>
    new TidyvaultError('IMPORT_FORMAT', `${name}: not a valid Parquet file (${detail})`, { file: name });
  const readerMessage = (e: unknown) =>
    withoutPath((e as Error).message.split('\n')[0]!, file, name).replace(/^[A-Za-z ]+Error: /, '');
  const damaged = frameProblem(file);
  if (damaged) throw invalid(damaged);
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
    throw invalid(readerMessage(e));
  }
  const repaired = repairHeaderNames(names, { caseInsensitive: true });
  const text = (n: string, t: string): Expr =>
    t === 'VARCHAR'
      ? col(n)
      : NESTED.test(t)
        ? cast(call('to_json', col(n)), 'VARCHAR')
        : cast(col(n), 'VARCHAR');
  try {
    await createTableFrom(
      ctx.connection,
      ctx.table,
      from,
      names.map((n, i) => ({ expr: text(n, types[i]!), as: repaired[i]! })),
    );
  } catch (e) {
    // Out of memory is not a broken file: the caller says so (a small file can hold much text).
    if (isOutOfMemory((e as Error).message)) throw e;
    throw invalid(readerMessage(e));
  }
  const columns: Column[] = repaired.map((n) => ({ name: n, type: 'text' }));
  return { columns, rowCount: await rowCount(ctx.connection, ctx.table), warnings: [] };
}
