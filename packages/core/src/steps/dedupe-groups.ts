import { call, cast, col, isNull, list, lit, type Expr, type Select } from '@tidyvault/sql';
import { z } from 'zod';
import { columnName, describeColumns, TEXT } from './common.js';
import type { StepDefinition } from './types.js';

const MAX_KEYS = 100_000;

const schema = z
  .strictObject({
    op: z.literal('dedupe-groups'),
    /** The text columns whose values identify a row. */
    columns: z.array(columnName).min(1).max(32),
    /** Confirmed groups of duplicates: each is a list of value tuples (one value per column). */
    groups: z
      .array(z.array(z.array(z.string().nullable()).min(1)).min(1))
      .min(1)
      .max(MAX_KEYS)
      // What JSON Schema cannot say, and the refinement below checks.
      .describe(
        `Each tuple holds one value per column of "columns", in that order; no tuple is listed twice; at most ${MAX_KEYS} tuples in all the groups together.`,
      ),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    let total = 0;
    s.groups.forEach((g, gi) =>
      g.forEach((tuple, ti) => {
        total++;
        const path = ['groups', gi, ti];
        if (tuple.length !== s.columns.length)
          ctx.addIssue({
            code: 'custom',
            path,
            message: `needs ${s.columns.length} value(s), one per column`,
          });
        const key = JSON.stringify(tuple);
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path, message: 'this tuple is listed twice' });
        seen.add(key);
      }),
    );
    if (total > MAX_KEYS)
      ctx.addIssue({ code: 'custom', path: ['groups'], message: `at most ${MAX_KEYS} tuples` });
  });
export type DedupeGroupsStep = z.infer<typeof schema>;

/**
 * Keep one row per confirmed group of duplicates. A row belongs to a group when its values in
 * `columns` equal one of the group's tuples exactly (NULL matches null); of each group only the
 * first row in row order stays. Rows in no group are untouched. Carries data values (the tuples).
 */
export const dedupeGroups: StepDefinition<DedupeGroupsStep> = {
  op: 'dedupe-groups',
  schema,
  carriesDataValues: true,
  describe: (s) =>
    `Keep one row per confirmed duplicate group (${s.groups.length} group${s.groups.length === 1 ? '' : 's'}) by ${describeColumns(s.columns)}`,
  analyze(s, input, ctx) {
    for (const c of s.columns) ctx.column(c, TEXT);
    if (new Set(s.columns).size !== s.columns.length) ctx.fail('a column is listed twice');
    return input;
  },
  compile(s, ctx) {
    const all = ctx.inputColumns.map((c) => c.name);
    const tuples = s.groups.flatMap((g, gi) => g.map((t) => ({ t, gi })));
    const keys = ctx.fresh('dedupe_groups_keys');
    const members = ctx.fresh('dedupe_groups_members');
    const drop = ctx.fresh('dedupe_groups_drop');
    const out = ctx.fresh('dedupe_groups');
    // The tuples as a relation: parallel unnest of one list per column, plus the group number.
    const keysQuery: Select = {
      kind: 'select',
      columns: [
        ...s.columns.map((_, c) => ({
          expr: call('unnest', list(tuples.map(({ t }) => cast(lit(t[c] ?? null), 'VARCHAR')))),
          as: `k${c}`,
        })),
        { expr: call('unnest', list(tuples.map(({ gi }) => lit(gi)))), as: 'g' },
      ],
    };
    const match: Expr = s.columns
      .map((name, c): Expr => ({
        kind: 'binary',
        op: 'IS NOT DISTINCT FROM',
        left: col(name, 'i'),
        right: col(`k${c}`, 'k'),
      }))
      .reduce((a, b) => ({ kind: 'binary', op: 'AND', left: a, right: b }));
    const membersQuery: Select = {
      kind: 'select',
      columns: [
        { expr: col(ctx.rowId, 'i'), as: 'rid' },
        { expr: col('g', 'k'), as: 'g' },
      ],
      from: {
        kind: 'join',
        type: 'INNER',
        left: { kind: 'table', name: ctx.input, alias: 'i' },
        right: { kind: 'table', name: keys, alias: 'k' },
        on: match,
      },
    };
    const dropQuery: Select = {
      kind: 'select',
      columns: [{ expr: col('rid') }],
      from: { kind: 'table', name: members },
      qualify: {
        kind: 'binary',
        op: '<>',
        left: col('rid'),
        right: { kind: 'call', fn: 'min', args: [col('rid')], over: { partitionBy: [col('g')] } },
      },
    };
    const outQuery: Select = {
      kind: 'select',
      columns: [ctx.rowId, ...all].map((n) => ({ expr: col(n, 'i') })),
      from: {
        kind: 'join',
        type: 'LEFT',
        left: { kind: 'table', name: ctx.input, alias: 'i' },
        right: { kind: 'table', name: drop, alias: 'd' },
        on: { kind: 'binary', op: '=', left: col(ctx.rowId, 'i'), right: col('rid', 'd') },
      },
      where: isNull(col('rid', 'd')),
    };
    return {
      kind: 'ctes',
      ctes: [
        { name: keys, query: keysQuery },
        { name: members, query: membersQuery },
        { name: drop, query: dropQuery },
        { name: out, query: outQuery },
      ],
    };
  },
};
