import { z } from 'zod';
import {
  compileTargets,
  describeColumns,
  mapColumns,
  optionalColumns,
  targetColumns,
  trimWs,
} from './common.js';
import { rowScope } from './condition.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({ op: z.literal('trim'), columns: optionalColumns, where: rowScope });
export type TrimStep = z.infer<typeof schema>;

export const trim: StepDefinition<TrimStep> = {
  op: 'trim',
  schema,
  rowScoped: true,
  describe: (s) => `Trim leading and trailing whitespace in ${describeColumns(s.columns)}`,
  analyze(s, input, ctx) {
    targetColumns(s.columns, input, ctx);
    return input;
  },
  compile: (s, ctx) => mapColumns(ctx, compileTargets(s.columns, ctx), trimWs),
};
