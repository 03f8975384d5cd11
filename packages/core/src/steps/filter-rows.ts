import { col, not } from '@tidyvault/sql';
import { z } from 'zod';
import {
  checkCondition,
  compileCondition,
  condition,
  conditionChecks,
  describeCondition,
  leaves,
} from './condition.js';
import type { StepDefinition } from './types.js';

export type { Condition, Leaf } from './condition.js';

const schema = z.strictObject({
  op: z.literal('filter-rows'),
  where: condition,
  keep: z.boolean().optional(),
});
export type FilterRowsStep = z.infer<typeof schema>;

/** Longer conditions are named by their columns only: the recipe panel shows one line a step. */
const MAX_DESCRIBED = 120;

export const filterRows: StepDefinition<FilterRowsStep> = {
  op: 'filter-rows',
  schema,
  describe: (s) => {
    const verb = s.keep === false ? 'Remove' : 'Keep only';
    const words = describeCondition(s.where);
    return words.length <= MAX_DESCRIBED
      ? `${verb} rows where ${words}`
      : `${verb} rows matching a condition on ${[...new Set(leaves(s.where).map((l) => `"${l.column}"`))].join(', ')}`;
  },
  analyze(s, input, ctx) {
    checkCondition(s.where, input, ctx);
    return input;
  },
  engineChecks: (s) => conditionChecks(s.where),
  compile(s, ctx) {
    const types = new Map(ctx.inputColumns.map((c) => [c.name, c.type]));
    const cond = compileCondition(s.where, types);
    return {
      kind: 'project',
      exprs: ctx.outputColumns.map((c) => col(c.name)),
      where: s.keep === false ? not(cond) : cond,
    };
  },
};
