import { z } from 'zod';
import { listOf, mapColumns, requiredColumns, shown, targetColumns, trimWs, withTypes } from './common.js';
import { formatProblem, tryParseDate } from './date-parse.js';
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
    s.formats.forEach((f, i) => {
      const problem = formatProblem(f);
      if (problem !== undefined)
        ctx.fail(`formats[${i}] ${JSON.stringify(f)}${problem}`, undefined, undefined, `formats.${i}`);
    });
    return withTypes(input, s.columns, 'date');
  },
  engineChecks: (s) =>
    s.formats.map((f, i) => ({ kind: 'date-format' as const, value: f, field: `formats[${i}]` })),
  compile: (s, ctx) => mapColumns(ctx, s.columns, (c) => tryParseDate(trimWs(c), s.formats)),
};
