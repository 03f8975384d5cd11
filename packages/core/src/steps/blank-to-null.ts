import { call, lit } from '@tidyvault/sql';
import { z } from 'zod';
import {
  compileTargets,
  describeColumns,
  mapColumns,
  optionalColumns,
  targetColumns,
  WS_CLASS,
  yieldsTrimmed,
} from './common.js';
import { rowScope } from './condition.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({ op: z.literal('blank-to-null'), columns: optionalColumns, where: rowScope });
export type BlankToNullStep = z.infer<typeof schema>;

export const blankToNull: StepDefinition<BlankToNullStep> = {
  op: 'blank-to-null',
  schema,
  rowScoped: true,
  describe: (s) => `Turn empty and whitespace-only values into null in ${describeColumns(s.columns)}`,
  analyze(s, input, ctx) {
    targetColumns(s.columns, input, ctx);
    return input;
  },
  // One reference to the column: DuckDB inlines earlier steps, so every extra reference re-runs them.
  compile: (s, ctx) =>
    mapColumns(ctx, compileTargets(s.columns, ctx), (c, name) =>
      yieldsTrimmed(ctx.inputExpr(name))
        ? call('nullif', c, lit(''))
        : call('nullif', call('regexp_replace', c, lit(`^[${WS_CLASS}]*$`), lit('')), lit('')),
    ),
};
