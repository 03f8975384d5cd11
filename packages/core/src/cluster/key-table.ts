import { col, isNotNull, statement, type Expr, type Select } from '@tidyvault/sql';
import { PACK_SEP, packedList } from './packed-list.js';
import type { Recipe } from '../recipe/schema.js';
import { knnMapTable } from './knn-map.js';
import { isNearestNeighbour, type ClusterMethod, type ClusterParams } from './methods.js';

/**
 * Key-collision keys are computed in TypeScript (DuckDB has no NFKD, no Unicode modifier
 * classes, no Kölner Phonetik), once per distinct value, and kept in a key table: `value`
 * (VARCHAR, the raw value) and `key` (VARCHAR). A key table is a memo of a pure function of the
 * value, so one table per method and parameters serves every column, dataset and step; it
 * holds no recipe state. Before running SQL that joins a key table, an engine adds the rows for
 * the distinct values that have none yet (`missingKeyValuesQuery`, `computeKeys`).
 *
 * The compiled SQL of a `cluster-merge` step stays one query that reads the key table, so the
 * step carries no data values and re-applies to any file.
 */
export function clusterKeyTable(method: ClusterMethod, params: ClusterParams): string {
  const base = `cluster_keys_${method.replaceAll('-', '_')}`;
  return method === 'ngram-fingerprint' ? `${base}_${params?.ngramSize ?? 2}` : base;
}

/** The statements that make `table` an empty key or map table (`value`, `key`), afresh. */
export function keyTableStatements(table: string): string[] {
  return [
    statement({ kind: 'dropTable', name: table, ifExists: true }),
    statement({
      kind: 'createEmptyTable',
      name: table,
      columns: [
        { name: 'value', type: 'VARCHAR' },
        { name: 'key', type: 'VARCHAR' },
      ],
    }),
  ];
}

export interface ClusterKeyNeed {
  /** The step's index: its input is the recipe's first `stepIndex` steps. */
  stepIndex: number;
  column: string;
  method: ClusterMethod;
  params: ClusterParams;
  table: string;
  /**
   * A nearest-neighbour method: `table` is the step's own map (./knn-map.ts), filled whole once,
   * not a key table that gains the values it lacks.
   */
  map: boolean;
}

/**
 * The key and map tables a recipe's `cluster-merge` steps read, in step order, when the recipe
 * runs on `source` (the relation compileRecipe is given).
 */
export function clusterKeyNeeds(recipe: Recipe, upTo?: number, source = 'input'): ClusterKeyNeed[] {
  const needs: ClusterKeyNeed[] = [];
  recipe.steps.slice(0, upTo ?? recipe.steps.length).forEach((step, stepIndex) => {
    if (step.op !== 'cluster-merge') return;
    const { method } = step;
    const map = isNearestNeighbour(method);
    needs.push({
      stepIndex,
      column: step.column,
      method,
      params: step.params,
      table: map
        ? knnMapTable(source, recipe.steps.slice(0, stepIndex), { ...step, method })
        : clusterKeyTable(method, step.params),
      map,
    });
  });
  return needs;
}

/**
 * Distinct non-NULL values (as text) of `column` in `source` that `table` has no key for yet,
 * packed into one row (`packed`, `n`): the values joined by U+001F, or with `json` a JSON array
 * (needed when a value contains U+001F; see `unpackValues`).
 */
export function missingKeyValuesQuery(
  source: Select,
  column: string,
  method: ClusterMethod,
  params: ClusterParams,
  json = false,
): Select {
  const table = clusterKeyTable(method, params);
  const text: Expr = { kind: 'cast', expr: col(column), to: 'VARCHAR' };
  const list: Expr = { kind: 'call', fn: 'list', args: [col('value', 'd')] };
  return {
    kind: 'select',
    with: [
      {
        name: 'distinct_values',
        query: {
          kind: 'select',
          distinct: true,
          columns: [{ expr: text, as: 'value' }],
          from: { kind: 'subquery', query: { ...source, orderBy: [] }, alias: 'data' },
          where: isNotNull(col(column)),
        },
      },
    ],
    columns: [
      {
        expr: packedList(list, json),
        as: 'packed',
      },
      { expr: { kind: 'countStar' }, as: 'n' },
    ],
    from: {
      kind: 'join',
      type: 'LEFT',
      left: { kind: 'table', name: 'distinct_values', alias: 'd' },
      right: { kind: 'table', name: table, alias: 'k' },
      on: { kind: 'binary', op: '=', left: col('value', 'd'), right: col('value', 'k') },
    },
    where: { kind: 'unary', op: 'IS NULL', arg: col('value', 'k') },
  };
}

/** The values of `missingKeyValuesQuery`'s row; undefined when the JSON form must be read instead. */
export function unpackValues(packed: string | null, n: number, json = false): string[] | undefined {
  if (n === 0 || packed === null) return [];
  if (json) return JSON.parse(packed) as string[];
  const values = packed.split(PACK_SEP);
  return values.length === n ? values : undefined;
}

/** A comment for printed SQL that names the key tables it reads and what fills them. */
export function clusterKeyTablesNote(recipe: Recipe): string {
  const tables = new Map<string, ClusterKeyNeed>();
  for (const n of clusterKeyNeeds(recipe)) tables.set(n.table, n);
  if (tables.size === 0) return '';
  const lines = [...tables.values()].map((n) =>
    n.map
      ? `--   ${n.table}: the ${n.method} clusters of "${n.column}" as step ${n.stepIndex + 1} receives it (key: the number of the cluster the value joins; values in no cluster have no row)\n`
      : `--   ${n.table}: OpenRefine's ${n.method}${n.method === 'ngram-fingerprint' ? ` (n = ${n.params?.ngramSize ?? 2})` : ''} key of each distinct value\n`,
  );
  return `-- cluster-merge reads tables (value VARCHAR, key VARCHAR) that Tidyvault fills before the query runs:\n${lines.join('')}`;
}
