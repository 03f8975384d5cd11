import { and, bin, call, cast, col, list, isNotNull, isNull, lit, not, or, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import { BLANK_PATTERN, columnName, MAX_PATTERN_LENGTH, shown as shownText } from './common.js';
import { typedLiteral } from './typed-value.js';
import type { AnalyzeContext, Column, EngineCheck } from './types.js';

/*
 * A condition on a row's values: what filter-rows keeps, and what a row-scoped step (trim,
 * replace, mass-edit, …) changes when it carries a `where` — OpenRefine's "the rows the facets
 * select".
 */

const scalar = z.union([z.string(), z.number()]);
const leaf = z.strictObject({
  column: columnName,
  op: z.enum(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'is-null', 'not-null', 'contains', 'matches']),
  value: z.union([scalar, z.array(scalar).min(1)]).optional(),
});
export type Leaf = z.infer<typeof leaf>;
export type Condition = Leaf | { and: Condition[] } | { or: Condition[] } | { not: Condition };

export const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    leaf,
    z.strictObject({ and: z.array(condition).min(1) }),
    z.strictObject({ or: z.array(condition).min(1) }),
    z.strictObject({ not: condition }),
  ]),
);

const COMPARE = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

export function leaves(c: Condition): Leaf[] {
  if ('and' in c) return c.and.flatMap(leaves);
  if ('or' in c) return c.or.flatMap(leaves);
  if ('not' in c) return leaves(c.not);
  return [c];
}

export function checkLeaf(l: Leaf, input: Column[], ctx: AnalyzeContext): void {
  const c = ctx.column(l.column, ['text', 'number', 'integer', 'date']);
  // The value is the problem, not the column: RECIPE_PARAM, with the column named.
  const bad: (message: string) => never = (message) => ctx.fail(message, l.column, 'RECIPE_PARAM');
  const needsValue = l.op !== 'is-null' && l.op !== 'not-null';
  if (!needsValue) {
    if (l.value !== undefined) bad(`"${l.op}" takes no value`);
    return;
  }
  if (l.value === undefined) bad(`"${l.op}" needs a value`);
  if (Array.isArray(l.value) !== (l.op === 'in')) {
    bad(l.op === 'in' ? '"in" needs a list of values' : `"${l.op}" needs a single value`);
  }
  if (l.op === 'contains' || l.op === 'matches') {
    if (typeof l.value !== 'string') bad(`"${l.op}" needs a text value`);
    if (l.op === 'matches' && l.value.length > MAX_PATTERN_LENGTH) {
      bad(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
    }
    return;
  }
  for (const v of Array.isArray(l.value) ? l.value : [l.value]) {
    const typed = typedLiteral(v, c.type);
    if (typeof typed === 'string') bad(`column "${c.name}" is ${c.type}: ${typed}`);
  }
  void input;
}

/** Every leaf is two-valued (a NULL cell makes it false, except neq and is-null), so NOT behaves as users expect. */
export function compileCondition(c: Condition, types: Map<string, Column['type']>): Expr {
  if ('and' in c) return and(...c.and.map((x) => compileCondition(x, types)));
  if ('or' in c) return or(...c.or.map((x) => compileCondition(x, types)));
  if ('not' in c) return not(compileCondition(c.not, types));
  const column = col(c.column);
  const type = types.get(c.column)!;
  const value = (v: string | number) => typedLiteral(v, type) as Expr;
  const asText = type === 'text' ? column : cast(column, 'VARCHAR');
  const known = (e: Expr) => call('coalesce', e, lit(false));
  switch (c.op) {
    case 'is-null':
      return isNull(column);
    case 'not-null':
      return isNotNull(column);
    case 'neq':
      return bin('IS DISTINCT FROM', column, value(c.value as string | number));
    case 'in':
      // list_contains, not IN: DuckDB plans many CASEs over IN lists (a row-scoped step on
      // 200 columns) in time that grows steeply with their number (11 s against 0.1 s).
      return known(call('list_contains', list((c.value as (string | number)[]).map(value)), column));
    case 'contains':
      return known(call('contains', asText, lit(c.value as string)));
    case 'matches':
      return known(call('regexp_matches', asText, lit(c.value as string)));
    default:
      return known(bin(COMPARE[c.op], column, value(c.value as string | number)));
  }
}

/** The optional `where` of a row-scoped step (trim, replace, …): only the rows it selects change. */
export const rowScope = condition.optional();

/** Checks every leaf against the columns (exist, right type, right kind of value). */
export function checkCondition(c: Condition, input: Column[], ctx: AnalyzeContext): void {
  for (const l of leaves(c)) checkLeaf(l, input, ctx);
}

/** The RE2 patterns of its `matches` leaves, for the engine to check before running. */
export function conditionChecks(c: Condition): EngineCheck[] {
  return leaves(c)
    .filter((l) => l.op === 'matches')
    .map((l): EngineCheck => ({ kind: 'regex', value: l.value as string, field: 'where', column: l.column }));
}

const WORDS: Record<Leaf['op'], string> = {
  eq: 'is',
  neq: 'is not',
  lt: '<',
  lte: '≤',
  gt: '>',
  gte: '≥',
  in: 'is one of',
  'is-null': 'is empty',
  'not-null': 'is not empty',
  contains: 'contains',
  matches: 'matches',
};

const MAX_LISTED = 3;
const shown = (v: string | number) => (typeof v === 'number' ? String(v) : shownText(v));

/** The condition in words, e.g. `"city" is one of "Paris", "Lyon"`. */
export function describeCondition(c: Condition): string {
  if ('and' in c) return c.and.map(describeCondition).join(' and ');
  if ('or' in c) return `(${c.or.map(describeCondition).join(' or ')})`;
  if ('not' in c) return `not (${describeCondition(c.not)})`;
  if (c.op === 'matches' && c.value === BLANK_PATTERN) return `"${c.column}" is blank`;
  const head = `"${c.column}" ${WORDS[c.op]}`;
  if (c.value === undefined) return head;
  if (!Array.isArray(c.value)) return `${head} ${shown(c.value)}`;
  const more = c.value.length - MAX_LISTED;
  return `${head} ${c.value.slice(0, MAX_LISTED).map(shown).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}
