import { call, cast, list, lit } from '@tidyvault/sql';
import { z } from 'zod';
import { listOf, mapColumns, requiredColumns, shown, targetColumns, trimWs, withTypes } from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('to-date'),
  columns: requiredColumns,
  formats: z.array(z.string().min(1).max(200)).min(1).max(20),
});
export type ToDateStep = z.infer<typeof schema>;

export const toDate: StepDefinition<ToDateStep> = {
  op: 'to-date',
  schema,
  describe: (s) => `Convert ${listOf(s.columns)} to dates (${s.formats.map(shown).join(', ')})`,
  analyze(s, input, ctx) {
    targetColumns(s.columns, input, ctx);
    return withTypes(input, s.columns, 'date');
  },
  engineChecks: (s) =>
    s.formats.map((f, i) => ({ kind: 'date-format' as const, value: f, field: `formats[${i}]` })),
  compile: (s, ctx) =>
    mapColumns(ctx, s.columns, (c) => {
      // A list of formats is tried in order, the first that parses wins; the value is referenced once.
      const formats = s.formats.length === 1 ? lit(s.formats[0]!) : list(s.formats.map((f) => lit(f)));
      return cast(call('try_strptime', trimWs(c), formats), 'DATE');
    }),
};
