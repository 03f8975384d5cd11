import { bin, caseWhen, lit } from '@tidyvault/sql';
import { z } from 'zod';
import { compileTargets, describeColumns, mapColumns, optionalColumns, targetColumns, trimWs } from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({ op: z.literal('blank-to-null'), columns: optionalColumns });
export type BlankToNullStep = z.infer<typeof schema>;

export const blankToNull: StepDefinition<BlankToNullStep> = {
  op: 'blank-to-null',
  schema,
  describe: (s) => `Turn empty and whitespace-only values into null in ${describeColumns(s.columns)}`,
  analyze(s, input, ctx) {
    targetColumns(s.columns, input, ctx);
    return input;
  },
  compile: (s, ctx) =>
    mapColumns(ctx, compileTargets(s.columns, ctx), (c) => caseWhen([[bin('=', trimWs(c), lit('')), lit(null)]], c)),
};
