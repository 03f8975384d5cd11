import {
  and,
  bin,
  call,
  cast,
  col,
  inList,
  isNotNull,
  isNull,
  lit,
  not,
  or,
  type Expr,
} from '@tidyvault/sql';
import { z } from 'zod';
import { columnName } from './common.js';
import { MAX_PATTERN_LENGTH } from './replace.js';
import { typedLiteral } from './typed-value.js';
import type { AnalyzeContext, Column, EngineCheck, StepDefinition } from './types.js';

const scalar = z.union([z.string(), z.number()]);
const leaf = z.strictObject({
  column: columnName,
  op: z.enum(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'is-null', 'not-null', 'contains', 'matches']),
  value: z.union([scalar, z.array(scalar).min(1)]).optional(),
});
export type Leaf = z.infer<typeof leaf>;
export type Condition = Leaf | { and: Condition[] } | { or: Condition[] } | { not: Condition };

const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    leaf,
    z.strictObject({ and: z.array(condition).min(1) }),
    z.strictObject({ or: z.array(condition).min(1) }),
    z.strictObject({ not: condition }),
  ]),
);

const schema = z.strictObject({
  op: z.literal('filter-rows'),
  where: condition,
  keep: z.boolean().optional(),
});
export type FilterRowsStep = z.infer<typeof schema>;

const COMPARE = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

function leaves(c: Condition): Leaf[] {
  if ('and' in c) return c.and.flatMap(leaves);
  if ('or' in c) return c.or.flatMap(leaves);
  if ('not' in c) return leaves(c.not);
  return [c];
}

function checkLeaf(l: Leaf, input: Column[], ctx: AnalyzeContext): void {
  const c = ctx.column(l.column, ['text', 'number', 'integer', 'date']);
  const needsValue = l.op !== 'is-null' && l.op !== 'not-null';
  if (!needsValue) {
    if (l.value !== undefined) ctx.fail(`"${l.op}" takes no value`, l.column);
    return;
  }
  if (l.value === undefined) ctx.fail(`"${l.op}" needs a value`, l.column);
  if (Array.isArray(l.value) !== (l.op === 'in')) {
    ctx.fail(l.op === 'in' ? '"in" needs a list of values' : `"${l.op}" needs a single value`, l.column);
  }
  if (l.op === 'contains' || l.op === 'matches') {
    if (typeof l.value !== 'string') ctx.fail(`"${l.op}" needs a text value`, l.column);
    if (l.op === 'matches' && l.value.length > MAX_PATTERN_LENGTH) {
      ctx.fail(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`, l.column);
    }
    return;
  }
  for (const v of Array.isArray(l.value) ? l.value : [l.value]) {
    const typed = typedLiteral(v, c.type);
    if (typeof typed === 'string') ctx.fail(`column "${c.name}" is ${c.type}: ${typed}`, c.name);
  }
  void input;
}

/** Every leaf is two-valued (a NULL cell makes it false, except neq and is-null), so NOT behaves as users expect. */
function compileCondition(c: Condition, types: Map<string, Column['type']>): Expr {
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
      return known(inList(column, (c.value as (string | number)[]).map(value)));
    case 'contains':
      return known(call('contains', asText, lit(c.value as string)));
    case 'matches':
      return known(call('regexp_matches', asText, lit(c.value as string)));
    default:
      return known(bin(COMPARE[c.op], column, value(c.value as string | number)));
  }
}

export const filterRows: StepDefinition<FilterRowsStep> = {
  op: 'filter-rows',
  schema,
  describe: (s) =>
    `${s.keep === false ? 'Remove' : 'Keep only'} rows matching a condition on ${[...new Set(leaves(s.where).map((l) => `"${l.column}"`))].join(', ')}`,
  analyze(s, input, ctx) {
    for (const l of leaves(s.where)) checkLeaf(l, input, ctx);
    return input;
  },
  engineChecks: (s) =>
    leaves(s.where)
      .filter((l) => l.op === 'matches')
      .map((l): EngineCheck => ({ kind: 'regex', value: l.value as string, field: `where (${l.column})` })),
  compile(s, ctx) {
    const types = new Map(ctx.inputColumns.map((c) => [c.name, c.type]));
    const cond = compileCondition(s.where, types);
    return {
      kind: 'project',
      exprs: ctx.outputColumns.map((c) => col(c.name)),
      where: s.keep === false ? not(cond) : cond,
    };
  },
};
