import { z } from 'zod';
import { listOf, mapColumns, targetColumns, withTypes, shown } from './common.js';
import {
  checkSeparators,
  normalisedNumberText,
  numberParams,
  parseWhole,
  unlessNullValue,
  WHOLE_PATTERN,
} from './number-parsing.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({ op: z.literal('to-integer'), ...numberParams });
export type ToIntegerStep = z.infer<typeof schema>;

export const toInteger: StepDefinition<ToIntegerStep> = {
  op: 'to-integer',
  schema,
  describe: (s) =>
    `Convert ${listOf(s.columns)} to whole numbers${s.strip ? `, removing the characters ${shown(s.strip)} first` : ''}`,
  analyze(s, input, ctx) {
    checkSeparators(s, (m) => ctx.fail(m));
    targetColumns(s.columns, input, ctx);
    return withTypes(input, s.columns, 'integer');
  },
  compile: (s, ctx) =>
    mapColumns(ctx, s.columns, (c) =>
      unlessNullValue(c, s, parseWhole(normalisedNumberText(c, s)), WHOLE_PATTERN.slice(1, -1)),
    ),
};
