import type { LoadedDataset, TableResult } from '@tidyvault/core';
import { toCell, type NodeEngine } from '@tidyvault/engine-node';
import { and, bin, col, lit, select } from '@tidyvault/sql';

/**
 * A page of a materialised recipe state. Its rows were inserted in the recipe's order, so rowid is
 * the row's position and a page is a range predicate DuckDB answers from the row groups holding
 * it (no sort, no scan of the rows before `offset`).
 */
export async function page(
  engine: NodeEngine,
  data: LoadedDataset,
  offset: number,
  limit: number,
): Promise<TableResult> {
  const rowid = col('rowid');
  const reader = await engine.connection.runAndReadAll(
    select({
      kind: 'select',
      columns: data.columns.map((c) => ({ expr: col(c.name) })),
      from: { kind: 'table', name: data.table },
      where: and(bin('>=', rowid, lit(offset)), bin('<', rowid, lit(offset + limit))),
      orderBy: [{ expr: rowid }],
    }),
  );
  return { columns: data.columns, rows: reader.getRows().map((r) => r.map(toCell)) };
}
