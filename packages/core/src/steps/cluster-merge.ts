import { col, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import { clusterKeyTable } from '../cluster/key-table.js';
import { hasKeyer, unavailableMessage } from '../cluster/keyers/index.js';
import { knnMapTable } from '../cluster/knn-map.js';
import {
  CLUSTER_METHODS,
  NEAREST_NEIGHBOUR_METHODS,
  clusterParamProblem,
  clusterParams,
  isNearestNeighbour,
} from '../cluster/methods.js';
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
    const unused = clusterParamProblem(s.method, s.params);
    if (unused) ctx.fail(unused.message, undefined, 'RECIPE_PARAM', unused.field);
    // The same code and message as the cluster route's for a method not built yet.
    if (!isNearestNeighbour(s.method) && !hasKeyer(s.method))
      ctx.fail(
        unavailableMessage(s.method, NEAREST_NEIGHBOUR_METHODS),
        undefined,
        'RECIPE_UNSUPPORTED',
        'method',
      );
    return input;
  },
  // Its LEFT JOIN meets one canonical row per distinct value.
  keepsRowsChanging: (s) => [s.column],
  compile(s, ctx) {
    const { method } = s;
    // Keys of distinct values, computed once each by the engine (see cluster/key-table.ts), or
    // the clusters of this step's input (cluster/knn-map.ts).
    const keys = isNearestNeighbour(method)
      ? knnMapTable(ctx.source, ctx.stepsBefore, { ...s, method })
      : clusterKeyTable(method, s.params);
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
            // On a page of rows (see CompileContext.wholeInput), the counts still cover every row.
            from: ctx.wholeInput
              ? { kind: 'subquery', query: ctx.wholeInput, alias: 'whole' }
              : { kind: 'table', name: ctx.input },
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
                  { expr: col('value', 'c') },
                  { expr: col('n', 'c') },
                  { expr: col('key', 't'), as: 'cluster_key' },
                ],
                from: {
                  kind: 'join',
                  type: 'INNER',
                  left: { kind: 'table', name: counts, alias: 'c' },
                  right: { kind: 'table', name: keys, alias: 't' },
                  on: { kind: 'binary', op: '=', left: col('value', 'c'), right: col('value', 't') },
                },
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
