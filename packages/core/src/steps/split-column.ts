import { call, col, lit, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import { columnName, MAX_PATTERN_LENGTH, newColumnName, shown } from './common.js';
import type { Column, StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('split-column'),
  column: columnName,
  separator: z.string().min(1, 'separator cannot be empty').max(MAX_PATTERN_LENGTH),
  into: z.array(newColumnName).min(1).max(1000),
  regex: z.boolean().optional(),
  removeOriginal: z.boolean().optional(),
});
export type SplitColumnStep = z.infer<typeof schema>;

export const splitColumn: StepDefinition<SplitColumnStep> = {
  op: 'split-column',
  schema,
  describe: (s) =>
    `Split "${s.column}" on ${s.regex ? 'pattern ' : ''}${shown(s.separator)} into ${s.into.map((n) => `"${n}"`).join(', ')}`,
  analyze(s, input, ctx) {
    ctx.column(s.column, ['text']);
    const remove = s.removeOriginal ?? true;
    const kept = input.filter((c) => !(remove && c.name === s.column));
    const existing = new Set(kept.map((c) => c.name));
    const named = new Set<string>();
    s.into.forEach((n, i) => {
      if (existing.has(n)) ctx.fail(`a column named "${n}" already exists`, n);
      else if (named.has(n)) ctx.fail(`"into" names "${n}" twice`, undefined, undefined, `into.${i}`);
      named.add(n);
    });
    const added: Column[] = s.into.map((name) => ({ name, type: 'text' }));
    const at = input.findIndex((c) => c.name === s.column);
    return [...input.slice(0, at), ...(remove ? [] : [input[at]!]), ...added, ...input.slice(at + 1)];
  },
  engineChecks: (s) => (s.regex ? [{ kind: 'regex', value: s.separator, field: 'separator' }] : []),
  compile(s, ctx) {
    const parts = s.regex
      ? call('string_split_regex', col(s.column), lit(s.separator))
      : call('string_split', col(s.column), lit(s.separator));
    const partOf = new Map(s.into.map((n, i) => [n, i]));
    const exprs: Expr[] = ctx.outputColumns.map((c) => {
      const i = partOf.get(c.name);
      return i === undefined ? col(c.name) : { kind: 'index', expr: parts, index: lit(i + 1) };
    });
    return { kind: 'project', exprs };
  },
};
