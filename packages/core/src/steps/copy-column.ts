import { col } from '@tidyvault/sql';
import { z } from 'zod';
import { ANY, columnName, newColumnName } from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({ op: z.literal('copy-column'), column: columnName, into: newColumnName });
export type CopyColumnStep = z.infer<typeof schema>;

/** A copy of a column, right after it: change the copy, keep the original (or the other way round). */
export const copyColumn: StepDefinition<CopyColumnStep> = {
  op: 'copy-column',
  schema,
  describe: (s) => `Copy "${s.column}" into a new column "${s.into}"`,
  analyze(s, input, ctx) {
    const source = ctx.column(s.column, ANY);
    if (input.some((c) => c.name === s.into))
      ctx.fail(`a column named "${s.into}" already exists`, s.into, undefined, 'into');
    const at = input.findIndex((c) => c.name === s.column);
    return [...input.slice(0, at + 1), { name: s.into, type: source.type }, ...input.slice(at + 1)];
  },
  compile: (s, ctx) => ({
    kind: 'project',
    exprs: ctx.outputColumns.map((c) => col(c.name === s.into ? s.column : c.name)),
  }),
};
