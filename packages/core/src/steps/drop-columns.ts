import { col } from '@tidyvault/sql';
import { z } from 'zod';
import { ANY, listOf, requiredColumns, targetColumns } from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({ op: z.literal('drop-columns'), columns: requiredColumns });
export type DropColumnsStep = z.infer<typeof schema>;

export const dropColumns: StepDefinition<DropColumnsStep> = {
  op: 'drop-columns',
  schema,
  describe: (s) => `Remove ${listOf(s.columns)}`,
  analyze(s, input, ctx) {
    targetColumns(s.columns, input, ctx, ANY);
    const dropped = new Set(s.columns);
    const out = input.filter((c) => !dropped.has(c.name));
    if (out.length === 0) ctx.fail('at least one column must remain');
    return out;
  },
  compile: (_s, ctx) => ({ kind: 'project', exprs: ctx.outputColumns.map((c) => col(c.name)) }),
};
