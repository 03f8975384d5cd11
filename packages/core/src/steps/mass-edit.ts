import { call, caseWhen, col, list, lit } from '@tidyvault/sql';
import { z } from 'zod';
import { columnName, mapColumns } from './common.js';
import { rowScope } from './condition.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('mass-edit'),
  column: columnName,
  edits: z
    .array(z.strictObject({ from: z.array(z.string()).min(1), to: z.string().nullable() }))
    .min(1)
    .max(100_000),
  where: rowScope,
});
export type MassEditStep = z.infer<typeof schema>;

export const massEdit: StepDefinition<MassEditStep> = {
  op: 'mass-edit',
  schema,
  rowScoped: true,
  carriesDataValues: true,
  describe: (s) => {
    // Values changed, not edits: merging a cluster of three spellings into one changes two.
    const n = s.edits.reduce((sum, e) => sum + e.from.filter((f) => f !== e.to).length, 0);
    return `Edit ${n} value${n === 1 ? '' : 's'} of "${s.column}"`;
  },
  analyze(s, input, ctx) {
    ctx.column(s.column, ['text']);
    return input;
  },
  compile: (s, ctx) =>
    mapColumns(ctx, [s.column], (c) =>
      caseWhen(
        // list_contains, not IN: see unlessNullValue.
        s.edits.map((e) => [call('list_contains', list(e.from.map((f) => lit(f))), c), lit(e.to)]),
        col(s.column),
      ),
    ),
};
