import { call, lit } from '@tidyvault/sql';
import { z } from 'zod';
import {
  escapeRegex,
  escapeRewrite,
  listOf,
  mapColumns,
  MAX_PATTERN_LENGTH,
  requiredColumns,
  shown,
  targetColumns,
} from './common.js';
import { rowScope } from './condition.js';
import { capturingGroups, highestGroupReference, strayBackslash } from './regex-groups.js';
import type { StepDefinition } from './types.js';

export { MAX_PATTERN_LENGTH } from './common.js';

const schema = z.strictObject({
  op: z.literal('replace'),
  columns: requiredColumns,
  find: z.string().min(1, 'find cannot be empty').max(MAX_PATTERN_LENGTH),
  replace: z.string().max(100_000),
  regex: z.boolean().optional(),
  caseSensitive: z.boolean().optional(),
  where: rowScope,
});
export type ReplaceStep = z.infer<typeof schema>;

export const replace: StepDefinition<ReplaceStep> = {
  op: 'replace',
  schema,
  rowScoped: true,
  describe: (s) =>
    `Replace ${s.regex ? 'pattern ' : ''}${shown(s.find)} with ${shown(s.replace)} in ${listOf(s.columns)}${s.caseSensitive === false ? ', ignoring case' : ''}`,
  analyze(s, input, ctx) {
    targetColumns(s.columns, input, ctx);
    if (s.regex) {
      const stray = strayBackslash(s.replace);
      if (stray >= 0)
        ctx.fail(
          `replace ${JSON.stringify(s.replace)}: the backslash at position ${stray + 1} is not \\1…\\9 (a group) or \\\\ (a backslash); write \\\\ for a backslash in regex mode`,
          undefined,
          undefined,
          'replace',
        );
      // RE2 would leave every value as it is, silently, for a group the pattern does not have.
      const wanted = highestGroupReference(s.replace);
      const groups = capturingGroups(s.find);
      if (wanted > groups)
        ctx.fail(
          `replace ${JSON.stringify(s.replace)} refers to group \\${wanted}, but find ${JSON.stringify(s.find)} has ${groups === 0 ? 'no groups' : groups === 1 ? 'only 1 group' : `only ${groups} groups`} (write \\\\ for a backslash)`,
          undefined,
          undefined,
          'replace',
        );
    }
    return input;
  },
  engineChecks: (s) => (s.regex ? [{ kind: 'regex', value: s.find, field: 'find' }] : []),
  compile(s, ctx) {
    const caseSensitive = s.caseSensitive ?? true;
    if (!s.regex && caseSensitive) {
      return mapColumns(ctx, s.columns, (c) => call('replace', c, lit(s.find), lit(s.replace)));
    }
    const pattern = s.regex ? s.find : escapeRegex(s.find);
    const rewrite = s.regex ? s.replace : escapeRewrite(s.replace);
    const flags = caseSensitive ? 'g' : 'gi';
    return mapColumns(ctx, s.columns, (c) =>
      call('regexp_replace', c, lit(pattern), lit(rewrite), lit(flags)),
    );
  },
};
