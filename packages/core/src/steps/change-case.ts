import { bin, call, lit, lambda, col, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import { listOf, mapColumns, requiredColumns, targetColumns, WS_CHARS, WS_CLASS } from './common.js';
import { rowScope } from './condition.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('change-case'),
  columns: requiredColumns,
  case: z.enum(['lower', 'upper', 'title']),
  where: rowScope,
});
export type ChangeCaseStep = z.infer<typeof schema>;

/** Lower-case everything, then upper-case the first character of each whitespace-separated word. */
function titleCase(c: Expr): Expr {
  const pieces = call('regexp_extract_all', call('lower', c), lit(`[${WS_CLASS}]*[^${WS_CLASS}]*`));
  const t = col('t');
  const rest = call('ltrim', t, lit(WS_CHARS));
  const leading = call('left', t, bin('-', call('length', t), call('length', rest)));
  const word = bin(
    '||',
    bin('||', leading, call('upper', call('left', rest, lit(1)))),
    call('substr', rest, lit(2)),
  );
  return call('array_to_string', call('list_transform', pieces, lambda(['t'], word)), lit(''));
}

export const changeCase: StepDefinition<ChangeCaseStep> = {
  op: 'change-case',
  schema,
  rowScoped: true,
  describe: (s) => `Change ${listOf(s.columns)} to ${s.case} case`,
  analyze(s, input, ctx) {
    targetColumns(s.columns, input, ctx);
    return input;
  },
  compile: (s, ctx) =>
    mapColumns(ctx, s.columns, (c) =>
      s.case === 'lower' ? call('lower', c) : s.case === 'upper' ? call('upper', c) : titleCase(c),
    ),
};
