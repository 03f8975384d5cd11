import { z } from 'zod';
import { listOf, mapColumns, requiredColumns, shown, targetColumns, trimWs, withTypes } from './common.js';
import { formatParts, isoWeekProblem, lacksDateField, tryParseDate } from './date-parse.js';
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
      if (lacksDateField(f))
        ctx.fail(
          `formats[${i}] ${JSON.stringify(f)} has no date field (such as %Y, %m, %d or %b): every value it matched would become 1900-01-01`,
        );
      if (formatParts(f).fields.includes('Z'))
        ctx.fail(
          `formats[${i}] ${JSON.stringify(f)}: %Z (a time zone name) is read differently by the CLI's and the browser's DuckDB (one rolls 2024-02-30 over to 03-01, the other has no zone names); use %z for an offset such as +0100, or write a fixed name as text ("%Y-%m-%d %H:%M:%S UTC")`,
        );
      const iso = isoWeekProblem(f);
      if (iso !== undefined) ctx.fail(`formats[${i}] ${JSON.stringify(f)}: ${iso}`);
    });
    return withTypes(input, s.columns, 'date');
  },
  engineChecks: (s) =>
    s.formats.map((f, i) => ({ kind: 'date-format' as const, value: f, field: `formats[${i}]` })),
  compile: (s, ctx) => mapColumns(ctx, s.columns, (c) => tryParseDate(trimWs(c), s.formats)),
};
