import { bin, col, lit, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import { ANY, columnName } from './common.js';
import type { ColumnType, StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('sort-rows'),
  by: z.array(z.strictObject({ column: columnName, desc: z.boolean().optional() })).min(1),
});
export type SortRowsStep = z.infer<typeof schema>;

/**
 * What a column is sorted by. DuckDB gives back a column it sorts by from the sort key, where
 * -0.0 is 0.0; sorted by an expression of it, a number column keeps its own value (the order is
 * the same: -0.0 = 0.0).
 */
function sortKey(name: string, type: ColumnType | undefined): Expr {
  return type === 'number' ? bin('+', col(name), lit(0)) : col(name);
}

/** The column a sort key (sortKey's) sorts by, or undefined for any other expression. */
export function sortKeyColumn(e: Expr): string | undefined {
  if (e.kind === 'column') return e.name;
  if (e.kind === 'binary' && e.op === '+' && e.left.kind === 'column' && e.right.kind === 'literal')
    return e.left.name;
  return undefined;
}

export const sortRows: StepDefinition<SortRowsStep> = {
  op: 'sort-rows',
  schema,
  describe: (s) =>
    'Sort rows by ' + s.by.map((b) => `"${b.column}"${b.desc ? ' (descending)' : ''}`).join(', then '),
  analyze(s, input, ctx) {
    for (const b of s.by) ctx.column(b.column, ANY);
    return input;
  },
  compile: (s, ctx) => {
    const types = new Map(ctx.inputColumns.map((c) => [c.name, c.type]));
    const key = (name: string): Expr => sortKey(name, types.get(name));
    return {
      kind: 'project',
      exprs: ctx.outputColumns.map((c) => col(c.name)),
      rowId: {
        kind: 'call',
        fn: 'row_number',
        args: [],
        over: {
          orderBy: [
            ...s.by.map((b) => ({ expr: key(b.column), desc: b.desc ?? false, nulls: 'LAST' as const })),
            { expr: col(ctx.rowId) },
          ],
        },
      },
    };
  },
};
