import { bin, call, caseWhen, col, lit, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import {
  ANY,
  columnName,
  firstInGroup,
  listOf,
  MAX_MADE_VALUE_BYTES,
  requiredColumns,
  shown,
  targetColumns,
  valueTooLong,
} from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('join-rows'),
  column: columnName,
  separator: z.string().max(1000),
  by: requiredColumns,
});
export type JoinRowsStep = z.infer<typeof schema>;

/**
 * OpenRefine's "join multi-valued cells", the inverse of split-rows: the rows with equal values in
 * `by` (NULL equals NULL) become one, in the first one's place, with the group's values of
 * `column` joined in row order by `separator` (NULLs left out; all NULL: NULL), and the first
 * row's other values.
 */
export const joinRows: StepDefinition<JoinRowsStep> = {
  op: 'join-rows',
  schema,
  describe: (s) => `Join "${s.column}" with ${shown(s.separator)} over rows with the same ${listOf(s.by)}`,
  analyze(s, input, ctx) {
    ctx.column(s.column, ['text']);
    targetColumns(s.by, input, ctx, ANY);
    if (s.by.includes(s.column))
      ctx.fail(
        `"${s.column}" cannot be both joined and a column rows are grouped by`,
        s.column,
        undefined,
        'by',
      );
    return input;
  },
  mayRefuseValues: (s) => [s.column],
  compile(s, ctx) {
    const rid = col(ctx.rowId);
    const inRowOrder = (fn: 'list', arg: Expr): Expr => ({
      kind: 'call',
      fn,
      args: [arg],
      orderBy: [{ expr: rid }],
    });
    const value = col(s.column);
    const separators = bin(
      '*',
      bin('-', call('count', value), lit(1)),
      lit(new TextEncoder().encode(s.separator).length),
    );
    const longest = bin('+', call('coalesce', call('sum', call('strlen', value)), lit(0)), separators);
    const joined = caseWhen(
      [
        [
          bin('>', longest, lit(MAX_MADE_VALUE_BYTES)),
          valueTooLong('join-rows', s.column, ctx.stepsBefore.length),
        ],
      ],
      call('array_to_string', inRowOrder('list', value), lit(s.separator)),
    );
    const keys = new Set(s.by);
    return {
      kind: 'ctes',
      ctes: [
        {
          name: ctx.fresh('join_rows'),
          query: {
            kind: 'select',
            columns: [
              { expr: call('min', rid), as: ctx.rowId },
              ...ctx.outputColumns.map((c) => ({
                // A number key too: -0.0 and 0.0 are one group, whose first row says which.
                expr:
                  keys.has(c.name) && c.type !== 'number'
                    ? col(c.name)
                    : c.name === s.column
                      ? joined
                      : firstInGroup(c, rid),
                as: c.name,
              })),
            ],
            from: { kind: 'table', name: ctx.input },
            groupBy: s.by.map((n) => col(n)),
          },
        },
      ],
    };
  },
};
