import { col } from '@tidyvault/sql';
import { z } from 'zod';
import { columnName, newColumnName } from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('rename-columns'),
  mapping: z
    .record(columnName, newColumnName)
    .refine((m) => Object.keys(m).length > 0, 'mapping cannot be empty')
    .meta({ minProperties: 1 }),
});
export type RenameColumnsStep = z.infer<typeof schema>;

export const renameColumns: StepDefinition<RenameColumnsStep> = {
  op: 'rename-columns',
  schema,
  describe: (s) =>
    'Rename ' +
    Object.entries(s.mapping)
      .map(([a, b]) => `"${a}" to "${b}"`)
      .join(', '),
  analyze(s, input, ctx) {
    for (const old of Object.keys(s.mapping)) ctx.column(old, ['text', 'number', 'integer', 'date']);
    const out = input.map((c) => ({ name: s.mapping[c.name] ?? c.name, type: c.type }));
    const seen = new Set<string>();
    for (const c of out) {
      if (seen.has(c.name)) ctx.fail(`two columns would be named "${c.name}"`, c.name);
      seen.add(c.name);
    }
    return out;
  },
  compile: (_s, ctx) => ({ kind: 'project', exprs: ctx.inputColumns.map((c) => col(c.name)) }),
};
