import { col, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import { clusterKeySql } from '../cluster/key-sql.js';
import { CLUSTER_METHODS, clusterParams } from '../cluster/methods.js';
import { columnName } from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({
  op: z.literal('cluster-merge'),
  column: columnName,
  method: z.enum(CLUSTER_METHODS),
  params: clusterParams,
});
export type ClusterMergeStep = z.infer<typeof schema>;

export const clusterMerge: StepDefinition<ClusterMergeStep> = {
  op: 'cluster-merge',
  schema,
  describe: (s) =>
    `Merge similar values of "${s.column}" (${s.method}) into each cluster's most frequent spelling`,
  analyze(s, input, ctx) {
    ctx.column(s.column, ['text']);
    if (clusterKeySql(s.method, s.params, col(s.column)) === undefined) {
      ctx.fail(
        `clustering method "${s.method}" is not available in this engine yet (available: fingerprint, ngram-fingerprint)`,
      );
    }
    return input;
  },
  compile(s, ctx) {
    const v = col('value');
    const counts = ctx.fresh('cluster_counts');
    const canon = ctx.fresh('cluster_canonical');
    const out = ctx.fresh('cluster_merged');
    const canonical: Expr = {
      kind: 'call',
      fn: 'first_value',
      args: [v],
      over: { partitionBy: [col('cluster_key')], orderBy: [{ expr: col('n'), desc: true }, { expr: v }] },
    };
    return {
      kind: 'ctes',
      ctes: [
        {
          name: counts,
          query: {
            kind: 'select',
            columns: [
              { expr: col(s.column), as: 'value' },
              { expr: { kind: 'countStar' }, as: 'n' },
            ],
            from: { kind: 'table', name: ctx.input },
            where: { kind: 'unary', op: 'IS NOT NULL', arg: col(s.column) },
            groupBy: [col(s.column)],
          },
        },
        {
          name: canon,
          query: {
            kind: 'select',
            columns: [{ expr: v }, { expr: canonical, as: 'canonical' }],
            from: {
              kind: 'subquery',
              alias: 'k',
              query: {
                kind: 'select',
                columns: [
                  { expr: v },
                  { expr: col('n') },
                  { expr: clusterKeySql(s.method, s.params, v)!, as: 'cluster_key' },
                ],
                from: { kind: 'table', name: counts },
              },
            },
          },
        },
        {
          name: out,
          query: {
            kind: 'select',
            columns: [ctx.rowId, ...ctx.inputColumns.map((c) => c.name)].map((n) =>
              n === s.column
                ? {
                    expr: { kind: 'call', fn: 'coalesce', args: [col('canonical', 'm'), col(n, 'i')] },
                    as: n,
                  }
                : { expr: col(n, 'i') },
            ),
            from: {
              kind: 'join',
              type: 'LEFT',
              left: { kind: 'table', name: ctx.input, alias: 'i' },
              right: { kind: 'table', name: canon, alias: 'm' },
              on: { kind: 'binary', op: '=', left: col(s.column, 'i'), right: col('value', 'm') },
            },
          },
        },
      ],
    };
  },
};
