import { bin, call, caseWhen, col, lit, tryCast, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import { listOf, targetColumns, withTypes } from './common.js';
import {
  checkSeparators,
  INTEGER_PATTERN,
  normalisedNumberText,
  numberParams,
  parseDouble,
  unlessNullValue,
} from './number-parsing.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({ op: z.literal('to-integer'), ...numberParams });
export type ToIntegerStep = z.infer<typeof schema>;

/** Exact for integer text; otherwise through DOUBLE, kept only when it has no fractional part. */
function parseInteger(t: Expr): Expr {
  const d = parseDouble(t);
  return caseWhen(
    [
      [call('regexp_full_match', t, lit(INTEGER_PATTERN)), tryCast(t, 'BIGINT')],
      [bin('=', d, call('trunc', d)), tryCast(d, 'BIGINT')],
    ],
    lit(null),
  );
}

export const toInteger: StepDefinition<ToIntegerStep> = {
  op: 'to-integer',
  schema,
  describe: (s) => `Convert ${listOf(s.columns)} to whole numbers`,
  analyze(s, input, ctx) {
    checkSeparators(s, (m) => ctx.fail(m));
    targetColumns(s.columns, input, ctx);
    return withTypes(input, s.columns, 'integer');
  },
  compile(s, ctx) {
    const set = new Set(s.columns);
    return {
      kind: 'project',
      exprs: ctx.outputColumns.map((c) =>
        set.has(c.name) ? unlessNullValue(col(c.name), s, parseInteger(normalisedNumberText(col(c.name), s))) : col(c.name),
      ),
    };
  },
};
