import { z } from 'zod';
import {
  compileTargets,
  describeColumns,
  mapColumns,
  optionalColumns,
  targetColumns,
  collapseWs,
} from './common.js';
import { rowScope } from './condition.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('collapse-whitespace'),
  columns: optionalColumns,
  where: rowScope,
});
export type CollapseWhitespaceStep = z.infer<typeof schema>;

export const collapseWhitespace: StepDefinition<CollapseWhitespaceStep> = {
  op: 'collapse-whitespace',
  schema,
  rowScoped: true,
  describe: (s) => `Collapse runs of whitespace to one space and trim in ${describeColumns(s.columns)}`,
  analyze(s, input, ctx) {
    targetColumns(s.columns, input, ctx);
    return input;
  },
  compile: (s, ctx) => mapColumns(ctx, compileTargets(s.columns, ctx), collapseWs),
};
