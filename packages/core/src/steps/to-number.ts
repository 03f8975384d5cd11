import { z } from 'zod';
import { listOf, mapColumns, targetColumns, withTypes, shown } from './common.js';
import {
  checkSeparators,
  normalisedNumberText,
  numberParams,
  parseDouble,
  unlessNullValue,
} from './number-parsing.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({ op: z.literal('to-number'), ...numberParams });
export type ToNumberStep = z.infer<typeof schema>;

export const toNumber: StepDefinition<ToNumberStep> = {
  op: 'to-number',
  schema,
  describe: (s) =>
    `Convert ${listOf(s.columns)} to numbers${s.decimal !== undefined && s.decimal !== '.' ? `, ${shown(s.decimal)} as the decimal mark` : ''}${s.thousands ? `, ${shown(s.thousands)} between thousands` : ''}${s.strip ? `, removing the characters ${shown(s.strip)} first` : ''}`,
  analyze(s, input, ctx) {
    checkSeparators(s, (m) => ctx.fail(m));
    targetColumns(s.columns, input, ctx);
    return withTypes(input, s.columns, 'number');
  },
  compile: (s, ctx) =>
    mapColumns(ctx, s.columns, (c) => unlessNullValue(c, s, parseDouble(normalisedNumberText(c, s)))),
};
