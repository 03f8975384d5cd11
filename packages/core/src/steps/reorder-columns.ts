import { col } from '@tidyvault/sql';
import { z } from 'zod';
import { ANY, listOf, requiredColumns, targetColumns } from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('reorder-columns'),
  columns: requiredColumns,
  position: z.enum(['first', 'last']).optional(),
});
export type ReorderColumnsStep = z.infer<typeof schema>;

/**
 * The listed columns first (or last), in the order listed; every other column keeps its own
 * order (so a recipe replayed on a file with more columns keeps them too).
 */
export const reorderColumns: StepDefinition<ReorderColumnsStep> = {
  op: 'reorder-columns',
  schema,
  describe: (s) =>
    `Put ${listOf(s.columns)} ${s.position ?? 'first'}${s.columns.length > 1 ? ', in that order' : ''}`,
  analyze(s, input, ctx) {
    const listed = targetColumns(s.columns, input, ctx, ANY);
    const names = new Set(s.columns);
    const others = input.filter((c) => !names.has(c.name));
    return s.position === 'last' ? [...others, ...listed] : [...listed, ...others];
  },
  compile: (_s, ctx) => ({ kind: 'project', exprs: ctx.outputColumns.map((c) => col(c.name)) }),
};
