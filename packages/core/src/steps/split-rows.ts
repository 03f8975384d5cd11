import { bin, call, col, isNull, lit, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import { columnName, MAX_PATTERN_LENGTH, shown } from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('split-rows'),
  column: columnName,
  separator: z.string().min(1, 'separator cannot be empty').max(MAX_PATTERN_LENGTH),
  regex: z.boolean().optional(),
});
export type SplitRowsStep = z.infer<typeof schema>;

/**
 * OpenRefine's "split multi-valued cells": one row per part of the column's value, in order, each
 * with the row's other values (OpenRefine leaves them blank on the new rows, as parts of one
 * record; a flat table keeps them, as a spreadsheet's "split into rows" does). A NULL stays one
 * row with NULL; an empty value one row with ''.
 */
export const splitRows: StepDefinition<SplitRowsStep> = {
  op: 'split-rows',
  schema,
  describe: (s) =>
    `Split "${s.column}" on ${s.regex ? 'pattern ' : ''}${shown(s.separator)} into one row per part`,
  analyze(s, input, ctx) {
    ctx.column(s.column, ['text']);
    return input;
  },
  engineChecks: (s) => (s.regex ? [{ kind: 'regex', value: s.separator, field: 'separator' }] : []),
  compile(s, ctx) {
    const value = call('coalesce', col(s.column), lit(''));
    const parts = s.regex
      ? call('string_split_regex', value, lit(s.separator))
      : call('string_split', value, lit(s.separator));
    // The parts and their positions alone: no user column here, so no name can collide.
    const partsOf = ctx.fresh('split_rows_parts');
    const rid = col(ctx.rowId);
    const joined = (name: string, from: 'i' | 'p') => col(name, from);
    // The value itself is not read after the split: a long one would be copied to each of its parts.
    const out: Expr[] = ctx.outputColumns.map((c) =>
      c.name === s.column
        ? {
            kind: 'case',
            whens: [{ when: joined('was_null', 'p'), then: lit(null) }],
            else: joined('part', 'p'),
          }
        : joined(c.name, 'i'),
    );
    return {
      kind: 'ctes',
      ctes: [
        {
          name: partsOf,
          query: {
            kind: 'select',
            columns: [
              { expr: rid, as: ctx.rowId },
              { expr: call('unnest', parts), as: 'part' },
              { expr: call('generate_subscripts', parts, lit(1)), as: 'k' },
              { expr: isNull(col(s.column)), as: 'was_null' },
            ],
            from: { kind: 'table', name: ctx.input },
          },
        },
        {
          name: ctx.fresh('split_rows'),
          query: {
            kind: 'select',
            columns: [
              {
                expr: {
                  kind: 'call',
                  fn: 'row_number',
                  args: [],
                  over: { orderBy: [{ expr: col(ctx.rowId, 'p') }, { expr: col('k', 'p') }] },
                },
                as: ctx.rowId,
              },
              ...out.map((expr, j) => ({ expr, as: ctx.outputColumns[j]!.name })),
            ],
            from: {
              kind: 'join',
              type: 'INNER',
              left: { kind: 'table', name: ctx.input, alias: 'i' },
              right: { kind: 'table', name: partsOf, alias: 'p' },
              on: bin('=', col(ctx.rowId, 'i'), col(ctx.rowId, 'p')),
            },
          },
        },
      ],
    };
  },
};
