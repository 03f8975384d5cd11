import { and, bin, call, caseWhen, cast, col, isNull, lit, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import {
  ANY,
  columnName,
  newColumnName,
  listOf,
  MAX_MADE_VALUE_BYTES,
  shown,
  targetColumns,
  valueTooLong,
} from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('merge-columns'),
  columns: z.array(columnName).min(2),
  separator: z.string().max(1000),
  into: newColumnName,
  removeOriginals: z.boolean().optional(),
});
export type MergeColumnsStep = z.infer<typeof schema>;

export const mergeColumns: StepDefinition<MergeColumnsStep> = {
  op: 'merge-columns',
  schema,
  describe: (s) => `Merge ${listOf(s.columns)} into "${s.into}" with ${shown(s.separator)}`,
  analyze(s, input, ctx) {
    targetColumns(s.columns, input, ctx, ANY);
    const merged = new Set(s.columns);
    const remove = s.removeOriginals ?? false;
    const kept = input.filter((c) => !(remove && merged.has(c.name)));
    if (kept.some((c) => c.name === s.into)) ctx.fail(`a column named "${s.into}" already exists`, s.into);
    const positions = input.map((c, i) => (merged.has(c.name) ? i : -1)).filter((i) => i >= 0);
    const at = remove ? positions[0]! : positions[positions.length - 1]! + 1;
    const before = input.slice(0, at).filter((c) => !(remove && merged.has(c.name)));
    const after = input.slice(at).filter((c) => !(remove && merged.has(c.name)));
    return [...before, { name: s.into, type: 'text' }, ...after];
  },
  mayRefuseValues: (s) => [s.into],
  compile(s, ctx) {
    const types = new Map(ctx.inputColumns.map((c) => [c.name, c.type]));
    const parts = s.columns.map((n) => (types.get(n) === 'text' ? col(n) : cast(col(n), 'VARCHAR')));
    // At most every part and every separator (concat_ws leaves NULL parts out): merges of merges
    // double a value each time.
    const separators = (s.columns.length - 1) * new TextEncoder().encode(s.separator).length;
    const longest = parts.reduce<Expr>(
      (n, p) => bin('+', n, call('coalesce', call('strlen', p), lit(0))),
      lit(separators),
    );
    const joined: Expr = caseWhen(
      [
        [and(...s.columns.map((n) => isNull(col(n)))), lit(null)],
        [
          bin('>', longest, lit(MAX_MADE_VALUE_BYTES)),
          valueTooLong('merge-columns', s.into, ctx.stepsBefore.length),
        ],
      ],
      call('concat_ws', lit(s.separator), ...parts),
    );
    return {
      kind: 'project',
      exprs: ctx.outputColumns.map((c) => (c.name === s.into ? joined : col(c.name))),
    };
  },
};
