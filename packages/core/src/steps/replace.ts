import { bin, call, caseWhen, lit, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import {
  escapeRegex,
  escapeRewrite,
  listOf,
  mapColumns,
  MAX_MADE_VALUE_BYTES,
  MAX_PATTERN_LENGTH,
  requiredColumns,
  shown,
  targetColumns,
  valueTooLong,
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
  mayRefuseValues: (s) => s.columns,
  compile(s, ctx) {
    const caseSensitive = s.caseSensitive ?? true;
    if (!s.regex && caseSensitive) {
      return mapColumns(ctx, s.columns, (c, name) =>
        literalGrowthGuard(
          c,
          valueTooLong('replace', name, ctx.stepsBefore.length),
          s.find,
          s.replace,
          call('replace', c, lit(s.find), lit(s.replace)),
        ),
      );
    }
    const pattern = s.regex ? s.find : escapeRegex(s.find);
    const rewrite = s.regex ? s.replace : escapeRewrite(s.replace);
    const flags = caseSensitive ? 'g' : 'gi';
    return mapColumns(ctx, s.columns, (c, name) =>
      regexGrowthGuard(
        c,
        valueTooLong('replace', name, ctx.stepsBefore.length),
        pattern,
        rewrite,
        caseSensitive,
        call('regexp_replace', c, lit(pattern), lit(rewrite), lit(flags)),
      ),
    );
  },
};

const utf8Bytes = (t: string) => new TextEncoder().encode(t).length;
const len = (e: Expr) => call('strlen', e);

/**
 * `replaced`, unless the value it would make is longer than MAX_MADE_VALUE_BYTES: then the query
 * stops with a message naming the step and column. Values short enough that no replacement can
 * take them past the limit (nearly all) skip the count.
 */
function guard(c: Expr, tooLong: Expr, replaced: Expr, safeBelow: number, predicted: Expr): Expr {
  return caseWhen(
    [
      [bin('<=', len(c), lit(safeBelow)), replaced],
      [bin('>', predicted, lit(MAX_MADE_VALUE_BYTES)), tooLong],
    ],
    replaced,
  );
}

/** Literal, case-sensitive: every match is `find` itself, so the new length is exact. */
function literalGrowthGuard(c: Expr, tooLong: Expr, find: string, replacement: string, replaced: Expr): Expr {
  const f = utf8Bytes(find);
  const r = utf8Bytes(replacement);
  if (r <= f) return replaced;
  // matches = (len(c) - len(c without them)) / f; new length = len(c) + matches × (r - f).
  const removed = bin('-', len(c), len(call('replace', c, lit(find), lit(''))));
  const predicted = bin('+', len(c), bin('*', bin('/', removed, lit(f)), lit(r - f)));
  return guard(c, tooLong, replaced, Math.floor((MAX_MADE_VALUE_BYTES * f) / r), predicted);
}

/**
 * A regex (or a case-insensitive find): each match becomes the rewrite's literal bytes plus, per
 * group reference, at most the match itself. So the new length is at most
 * len(c) - M + matches × literal + references × M, with M the bytes the matches cover.
 */
function regexGrowthGuard(
  c: Expr,
  tooLong: Expr,
  pattern: string,
  rewrite: string,
  caseSensitive: boolean,
  replaced: Expr,
): Expr {
  let literal = 0;
  let refs = 0;
  for (let i = 0; i < rewrite.length; i++) {
    if (rewrite[i] === '\\' && rewrite[i + 1] !== undefined) {
      if (rewrite[i + 1]! >= '0' && rewrite[i + 1]! <= '9') refs++;
      else literal++;
      i++;
    } else literal += utf8Bytes(rewrite[i]!);
  }
  if (literal === 0 && refs <= 1) return replaced;
  const flags = caseSensitive ? 'g' : 'gi';
  const without = len(call('regexp_replace', c, lit(pattern), lit(''), lit(flags)));
  const covered = bin('-', len(c), without);
  // Each match made one byte long, against each made empty: the difference counts them.
  const matches = bin('-', len(call('regexp_replace', c, lit(pattern), lit('x'), lit(flags))), without);
  const predicted = bin(
    '+',
    bin('-', len(c), covered),
    bin('+', bin('*', matches, lit(literal)), bin('*', covered, lit(refs))),
  );
  // At most len(c) + 1 matches (empty ones included), each adding `literal` and `refs` copies.
  const safeBelow = Math.floor((MAX_MADE_VALUE_BYTES - literal) / (1 + refs + literal));
  return guard(c, tooLong, replaced, safeBelow, predicted);
}
