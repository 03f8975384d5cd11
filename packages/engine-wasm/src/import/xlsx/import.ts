import { xlsxTable, type Column } from '@tidyvault/core';
import { statement } from '@tidyvault/sql';
import { Table } from 'apache-arrow';
import { utf8Vector } from '../../cluster-keys.js';
import type { Connection } from '../../connection.js';
import { dropTable } from '../csv.js';

/* The sheet as core's xlsxTable reads it (header, text cells, ragged rows), into DuckDB through Arrow in batches. */

const BATCH_ROWS = 16_384;

export async function importXlsx(
  blob: Blob,
  ctx: { connection: Connection; table: string; displayName: string },
  o: { sheet?: string; ragged?: 'error' | 'extend' } = {},
): Promise<{ columns: Column[]; rowCount: number; warnings: string[] }> {
  try {
    const sheet = await xlsxTable(blob, ctx.displayName, o);
    const { names, rows } = sheet;
    await ctx.connection.run(
      statement({
        kind: 'createEmptyTable',
        name: ctx.table,
        columns: names.map((n) => ({ name: n, type: 'VARCHAR' })),
      }),
    );
    let batch: (string | null)[][] = names.map(() => []);
    let count = 0;
    const flush = async () => {
      if (batch[0]!.length === 0) return;
      // Inserted by position. Keyed by the column names, an object would list integer-like ones
      // ("2024") first, and put every cell of the sheet in the wrong column.
      const vectors: Record<string, ReturnType<typeof utf8Vector>> = {};
      names.forEach((_n, i) => (vectors[`c${i}`] = utf8Vector(batch[i]!)));
      await ctx.connection.insertArrow(new Table(vectors), ctx.table);
      batch = names.map(() => []);
    };
    for await (const cells of rows) {
      for (let i = 0; i < names.length; i++) batch[i]!.push(cells[i] ?? null);
      count++;
      if (batch[0]!.length >= BATCH_ROWS) await flush();
    }
    await flush();
    return {
      columns: names.map((n) => ({ name: n, type: 'text' })),
      rowCount: count,
      warnings: sheet.warnings(),
    };
  } catch (e) {
    await dropTable(ctx.connection, ctx.table);
    throw e;
  }
}
