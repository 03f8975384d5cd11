import { call, col, type Select } from '@tidyvault/sql';
import { z } from 'zod';
import { ANY, describeColumns, firstInGroup, optionalColumns, targetColumns } from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({ op: z.literal('dedupe-rows'), columns: optionalColumns });
export type DedupeRowsStep = z.infer<typeof schema>;

export const dedupeRows: StepDefinition<DedupeRowsStep> = {
  op: 'dedupe-rows',
  schema,
  firstRowsFromFirstRows: true,
  describe: (s) =>
    s.columns === undefined
      ? 'Remove duplicate rows'
      : `Remove rows with duplicate ${describeColumns(s.columns)}`,
  analyze(s, input, ctx) {
    if (s.columns !== undefined) targetColumns(s.columns, input, ctx, ANY);
    return input;
  },
  compile(s, ctx) {
    const rid = col(ctx.rowId);
    const minRid = call('min', rid);
    const all = ctx.inputColumns.map((c) => c.name);
    const keys = s.columns ?? all;
    if (keys.length === all.length) {
      // GROUP BY treats NULLs as equal, which is what dedupe needs. It also takes -0.0 for 0.0:
      // a number column's value comes from the first row, not from whichever row the (parallel)
      // grouping met first.
      const query: Select = {
        kind: 'select',
        columns: [
          { expr: minRid, as: ctx.rowId },
          ...ctx.inputColumns.map((c) =>
            c.type === 'number' ? { expr: firstInGroup(c, rid), as: c.name } : { expr: col(c.name) },
          ),
        ],
        from: { kind: 'table', name: ctx.input },
        groupBy: all.map((n) => col(n)),
      };
      return { kind: 'ctes', ctes: [{ name: ctx.fresh('dedupe'), query }] };
    }
    const firsts = ctx.fresh('dedupe_first');
    const out = ctx.fresh('dedupe');
    return {
      kind: 'ctes',
      ctes: [
        {
          name: firsts,
          query: {
            kind: 'select',
            columns: [{ expr: minRid, as: 'first_row' }],
            from: { kind: 'table', name: ctx.input },
            groupBy: keys.map((n) => col(n)),
          },
        },
        {
          name: out,
          query: {
            kind: 'select',
            columns: [ctx.rowId, ...all].map((n) => ({ expr: col(n, 'i') })),
            from: {
              kind: 'join',
              type: 'INNER',
              left: { kind: 'table', name: ctx.input, alias: 'i' },
              right: { kind: 'table', name: firsts, alias: 'f' },
              on: { kind: 'binary', op: '=', left: col(ctx.rowId, 'i'), right: col('first_row', 'f') },
            },
          },
        },
      ],
    };
  },
};
