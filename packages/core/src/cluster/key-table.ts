import { col, isNotNull, type Select } from '@tidyvault/sql';
import type { Recipe } from '../recipe/schema.js';
import type { ClusterMethod, ClusterParams } from './methods.js';

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

export interface ClusterKeyNeed {
  /** The step's index: its input is the recipe's first `stepIndex` steps. */
  stepIndex: number;
  column: string;
  method: ClusterMethod;
  params: ClusterParams;
  table: string;
}

/** The key tables a recipe's `cluster-merge` steps read, in step order. */
export function clusterKeyNeeds(recipe: Recipe, upTo?: number): ClusterKeyNeed[] {
  const needs: ClusterKeyNeed[] = [];
  recipe.steps.slice(0, upTo ?? recipe.steps.length).forEach((step, stepIndex) => {
    if (step.op !== 'cluster-merge') return;
    needs.push({
      stepIndex,
      column: step.column,
      method: step.method,
      params: step.params,
      table: clusterKeyTable(step.method, step.params),
    });
  });
  return needs;
}

/** Distinct non-NULL values (as text) of `column` in `source` that `table` has no key for yet. */
export function missingKeyValuesQuery(source: Select, column: string, table: string): Select {
  return {
    kind: 'select',
    with: [
      {
        name: 'distinct_values',
        query: {
          kind: 'select',
          distinct: true,
          columns: [{ expr: { kind: 'cast', expr: col(column), to: 'VARCHAR' }, as: 'value' }],
          from: { kind: 'subquery', query: { ...source, orderBy: [] }, alias: 'data' },
          where: isNotNull(col(column)),
        },
      },
    ],
    columns: [{ expr: col('value', 'd') }],
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

/** A comment for printed SQL that names the key tables it reads and what fills them. */
export function clusterKeyTablesNote(recipe: Recipe): string {
  const tables = [...new Set(clusterKeyNeeds(recipe).map((n) => `${n.table} (${n.method})`))];
  if (tables.length === 0) return '';
  return (
    `-- key tables (value VARCHAR, key VARCHAR): ${tables.join(', ')}; Tidyvault fills them with\n` +
    `-- OpenRefine's key of each distinct value before it runs the query\n`
  );
}
