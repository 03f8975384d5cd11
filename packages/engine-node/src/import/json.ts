import fs from 'node:fs';
import { call, caseWhen, col, lit, select, statement, bin, type Expr, type Select } from '@tidyvault/sql';
import {
  jsonImportError,
  JsonScanError,
  JsonScanner,
  repairHeaderNames,
  TidyvaultError,
  withoutPath,
  type Column,
} from '@tidyvault/core';
import { createTableFrom, dropTable, rowCount } from './create-table.js';
import type { ImportContext, ImportResult } from './types.js';

const MAX_COLUMNS = 16_384;

/**
 * Checks the whole file with core's strict scanner (which engine-wasm runs too) and gives the
 * number of records: DuckDB's reader lets some damage through, such as an array cut off after
 * a comma or a trailing comma in an object, and its messages name the path it was given.
 */
async function scanJson(file: string, name: string, format: 'json' | 'ndjson'): Promise<number> {
  const scanner = new JsonScanner(format);
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }))
      scanner.push(chunk as Buffer);
    scanner.finish();
  } catch (e) {
    if (e instanceof JsonScanError) throw jsonImportError(name, format, e.problem);
    throw e;
  }
  return scanner.records;
}

/**
 * JSON (an array of objects) or NDJSON (one object per line). Keys become columns in order of
 * first appearance; strings stay as they are, numbers/booleans keep their JSON text, nested
 * values become JSON text, JSON null and missing keys are NULL.
 */
export async function importJson(
  file: string,
  ctx: ImportContext,
  format: 'json' | 'ndjson',
): Promise<ImportResult> {
  const raw = `${ctx.table}__raw`;
  const c = ctx.connection;
  const name = ctx.displayName;
  const records = await scanJson(file, name, format);
  if (records === 0)
    throw new TidyvaultError('IMPORT_EMPTY', `${name}: the file holds no records`, { file: name });
  try {
    try {
      await createTableFrom(
        c,
        raw,
        {
          kind: 'tableFunction',
          fn: 'read_json_objects',
          args: [lit(file)],
          named: {
            format: lit(format === 'json' ? 'array' : 'newline_delimited'),
            maximum_object_size: lit(64 * 2 ** 20),
          },
        },
        [{ expr: col('json'), as: 'j' }],
      );
    } catch (e) {
      const first = withoutPath((e as Error).message.split('\n')[0]!, file, name).replace(
        /^[A-Za-z ]+Error: /,
        '',
      );
      const hint =
        format === 'json' ? 'expected a JSON array of objects' : 'expected one JSON object per line';
      throw new TidyvaultError(
        'IMPORT_FORMAT',
        `${name}: not valid ${format === 'json' ? 'JSON' : 'NDJSON'} (${hint}): ${first}`,
        { file: name },
      );
    }
    const rows = await rowCount(c, raw);
    if (rows !== records)
      throw new TidyvaultError(
        'IMPORT_FORMAT',
        `${name}: the file holds ${records} records, but ${rows} were read; it was not loaded`,
        { file: name },
      );
    const keys = await firstAppearanceKeys(ctx, raw);
    if (keys.length > MAX_COLUMNS)
      throw new TidyvaultError('IMPORT_LIMIT', `${name}: more than ${MAX_COLUMNS} distinct keys`, {
        file: name,
      });
    const names = repairHeaderNames(keys, { caseInsensitive: true });
    const map: Expr = call('json_transform', col('j'), lit('"MAP(VARCHAR, JSON)"'));
    const value = (key: string): Expr => {
      const v: Expr = { kind: 'index', expr: map, index: lit(key) };
      return caseWhen(
        [[bin('=', call('json_type', v), lit('NULL')), lit(null)]],
        call('json_extract_string', v, lit('$')),
      );
    };
    const query: Select = {
      kind: 'select',
      columns: keys.map((k, i) => ({ expr: value(k), as: names[i]! })),
      from: { kind: 'table', name: raw },
      orderBy: [{ expr: col('rowid') }],
    };
    await c.run(statement({ kind: 'createTable', name: ctx.table, query }));
    const columns: Column[] = names.map((n) => ({ name: n, type: 'text' }));
    return { columns, rowCount: rows, warnings: [] };
  } finally {
    await dropTable(c, raw);
  }
}

async function firstAppearanceKeys(ctx: ImportContext, raw: string): Promise<string[]> {
  const keys = call('json_keys', col('j'));
  const inner: Select = {
    kind: 'select',
    columns: [
      { expr: col('rowid'), as: 'r' },
      { expr: call('unnest', keys), as: 'k' },
      { expr: call('generate_subscripts', keys, lit(1)), as: 'pos' },
    ],
    from: { kind: 'table', name: raw },
  };
  const r = await ctx.connection.runAndReadAll(
    select({
      kind: 'select',
      columns: [{ expr: col('k') }],
      from: { kind: 'subquery', query: inner, alias: 'x' },
      groupBy: [col('k')],
      orderBy: [{ expr: call('min', col('r')) }, { expr: call('arg_min', col('pos'), col('r')) }],
    }),
  );
  return r.getRowsJson().map((row) => String(row[0]));
}
