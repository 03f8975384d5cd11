import {
  autoColumnNames,
  readXlsxRows,
  repairHeaderNames,
  TidyvaultError,
  XlsxError,
  type Column,
} from '@tidyvault/core';
import { statement } from '@tidyvault/sql';
import { Table } from 'apache-arrow';
import { utf8Vector } from '../../cluster-keys.js';
import type { Connection } from '../../connection.js';
import { dropTable } from '../csv.js';

/*
 * XLSX with engine-node's rules (its import/xlsx.ts): the first non-empty row is the header
 * (names repaired), cells are text as the workbook shows them, a row with more cells than the
 * header is an error naming it (or, with ragged: 'extend', adds auto-named columns), rows go to
 * DuckDB through Arrow in batches.
 */

const BATCH_ROWS = 16_384;

function failure(e: unknown, name: string): never {
  if (e instanceof XlsxError) {
    const code = e.code === 'XLSX_LIMIT' ? 'IMPORT_LIMIT' : 'IMPORT_FORMAT';
    throw new TidyvaultError(code, `${name}: ${e.message}`, { file: name });
  }
  throw e;
}

export async function importXlsx(
  blob: Blob,
  ctx: { connection: Connection; table: string; displayName: string },
  o: { sheet?: string; ragged?: 'error' | 'extend' } = {},
): Promise<{ columns: Column[]; rowCount: number; warnings: string[] }> {
  const name = ctx.displayName;
  const sheetOpt = o.sheet === undefined ? {} : { sheet: o.sheet };
  let names: string[] | undefined;
  let batch: (string | null)[][] = [];
  let rows = 0;
  const flush = async () => {
    if (!names || batch.length === 0 || batch[0]!.length === 0) return;
    const vectors: Record<string, ReturnType<typeof utf8Vector>> = {};
    names.forEach((n, i) => (vectors[n] = utf8Vector(batch[i]!)));
    await ctx.connection.insertArrow(new Table(vectors), ctx.table);
    batch = names.map(() => []);
  };
  try {
    let extendTo = 0;
    if (o.ragged === 'extend') {
      for await (const row of readXlsxRows(blob, sheetOpt)) extendTo = Math.max(extendTo, row.cells.length);
    }
    for await (const row of readXlsxRows(blob, sheetOpt)) {
      if (names === undefined) {
        names = repairHeaderNames(row.cells, { caseInsensitive: true });
        if (extendTo > names.length)
          names = [
            ...names,
            ...autoColumnNames(names.length + 1, extendTo - names.length, new Set(names), {
              caseInsensitive: true,
            }),
          ];
        await ctx.connection.run(
          statement({
            kind: 'createEmptyTable',
            name: ctx.table,
            columns: names.map((n) => ({ name: n, type: 'VARCHAR' })),
          }),
        );
        batch = names.map(() => []);
        continue;
      }
      const cells = row.cells;
      if (cells.length > names.length) {
        throw new TidyvaultError(
          'IMPORT_RAGGED',
          `${name}: sheet row ${row.rowNumber}: ${cells.length} cells, but the header has ${names.length} (pass --ragged extend to add columns)`,
          { file: name, row: row.rowNumber },
        );
      }
      for (let i = 0; i < names.length; i++) batch[i]!.push(cells[i] ?? null);
      rows++;
      if (batch[0]!.length >= BATCH_ROWS) await flush();
    }
    if (names === undefined)
      throw new TidyvaultError('IMPORT_EMPTY', `${name}: the sheet is empty`, { file: name });
    await flush();
    return { columns: names.map((n) => ({ name: n, type: 'text' })), rowCount: rows, warnings: [] };
  } catch (e) {
    await dropTable(ctx.connection, ctx.table);
    return failure(e, name);
  }
}
