import { call, caseWhen, col, lit, type Expr, type Select } from '@tidyvault/sql';
import { z } from 'zod';
import { ANY, firstInGroup, listOf, requiredColumns, targetColumns } from './common.js';
import { typedLiteral } from './typed-value.js';
import type { CompileContext, StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('fill-null'),
  columns: requiredColumns,
  strategy: z.enum(['value', 'down', 'up', 'mean', 'median', 'mode']),
  value: z.union([z.string(), z.number()]).optional(),
});
export type FillNullStep = z.infer<typeof schema>;

function modeOf(name: string, ctx: CompileContext): Expr {
  const c = col(name);
  const column = ctx.inputColumns.find((x) => x.name === name)!;
  const query: Select = {
    kind: 'select',
    // -0.0 and 0.0 are one value: the first row holding it says which (not the parallel grouping).
    columns: [{ expr: column.type === 'number' ? firstInGroup(column, col(ctx.rowId)) : c }],
    from: { kind: 'table', name: ctx.input },
    where: { kind: 'unary', op: 'IS NOT NULL', arg: c },
    groupBy: [c],
    orderBy: [{ expr: { kind: 'countStar' }, desc: true }, { expr: c }],
    limit: 1,
  };
  return { kind: 'subquery', query };
}

const isText = (name: string, ctx: CompileContext) =>
  ctx.inputColumns.find((x) => x.name === name)?.type === 'text';

/**
 * What `down` and `up` fill, and fill from: as OpenRefine's fill down, a blank cell is NULL or
 * empty text (an empty CSV field is imported as ''), not whitespace.
 */
const blankAsNull = (name: string, ctx: CompileContext): Expr =>
  isText(name, ctx) ? call('nullif', col(name), lit('')) : col(name);

function filler(s: FillNullStep, name: string, ctx: CompileContext): Expr {
  const c = col(name);
  const byRow = [{ expr: col(ctx.rowId) }];
  switch (s.strategy) {
    case 'value': {
      const type = ctx.inputColumns.find((x) => x.name === name)!.type;
      return typedLiteral(s.value!, type) as Expr;
    }
    case 'down':
      return {
        kind: 'call',
        fn: 'last_value',
        args: [blankAsNull(name, ctx)],
        ignoreNulls: true,
        over: { orderBy: byRow, frame: 'UNBOUNDED_PRECEDING_TO_CURRENT' },
      };
    case 'up':
      return {
        kind: 'call',
        fn: 'first_value',
        args: [blankAsNull(name, ctx)],
        ignoreNulls: true,
        over: { orderBy: byRow, frame: 'CURRENT_TO_UNBOUNDED_FOLLOWING' },
      };
    case 'mean': {
      // Summed in value order: in the order the threads meet the rows, the last digits of the
      // mean depended on the thread count (the CLI's and the browser's files differed).
      // A sum past the DOUBLE range would make the mean Infinity, which no export can write.
      const mean: Expr = { kind: 'call', fn: 'avg', args: [c], orderBy: [{ expr: c }], over: {} };
      return caseWhen([[call('isfinite', mean), mean]]);
    }
    case 'median':
      return { kind: 'call', fn: 'median', args: [c], over: {} };
    case 'mode':
      return modeOf(name, ctx);
  }
}

export const fillNull: StepDefinition<FillNullStep> = {
  op: 'fill-null',
  schema,
  describe: (s) =>
    s.strategy === 'value'
      ? `Fill empty cells of ${listOf(s.columns)} with ${JSON.stringify(s.value)}`
      : `Fill empty cells of ${listOf(s.columns)} (${s.strategy})`,
  analyze(s, input, ctx) {
    const numeric = s.strategy === 'mean' || s.strategy === 'median';
    if (numeric)
      for (const c of input.filter((c) => s.columns.includes(c.name) && c.type === 'integer'))
        ctx.fail(
          `column "${c.name}" is integer; fill-null ${s.strategy} fills with a number that may not be whole: convert the column with to-number first, or fill with a value or the mode`,
          c.name,
          'RECIPE_TYPE',
        );
    const cols = targetColumns(s.columns, input, ctx, numeric ? ['number'] : ANY);
    if (s.strategy === 'value') {
      const value = s.value;
      if (value === undefined)
        return ctx.fail('strategy "value" needs a value', undefined, undefined, 'value');
      for (const c of cols) {
        const v = typedLiteral(value, c.type);
        if (typeof v === 'string') ctx.fail(`column "${c.name}" is ${c.type}: ${v}`, c.name);
      }
    } else if (s.value !== undefined) {
      ctx.fail(
        `value is only used with strategy "value", not "${s.strategy}"`,
        undefined,
        undefined,
        'value',
      );
    }
    return input;
  },
  compile(s, ctx) {
    const set = new Set(s.columns);
    return {
      kind: 'project',
      exprs: ctx.outputColumns.map((c) => {
        if (!set.has(c.name)) return col(c.name);
        // down / up: a blank cell with nothing to fill it from keeps its own value ('' or NULL).
        if (s.strategy === 'down' || s.strategy === 'up')
          return call('coalesce', blankAsNull(c.name, ctx), filler(s, c.name, ctx), col(c.name));
        return call('coalesce', col(c.name), filler(s, c.name, ctx));
      }),
    };
  },
};
