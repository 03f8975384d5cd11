import {
  TidyvaultError,
  compileRecipe,
  fuzzyDuplicateGroups,
  type LoadedDataset,
  type Recipe,
} from '@tidyvault/core';
import { col, select, type Select } from '@tidyvault/sql';
import type { NodeEngine } from './node-engine.js';

/** Distinct value combinations compared at most (each is one record of the fuzzy search). */
export const MAX_DUPLICATE_TUPLES = 50_000;
/** Candidate groups returned at most, best first. */
export const MAX_DUPLICATE_GROUPS = 1_000;

export interface DuplicatesAnswer {
  columns: string[];
  /** Distinct value combinations compared. */
  tuples: number;
  /** `keys`: the value combinations of a group; `counts`: rows holding each. */
  groups: { score: number; keys: (string | null)[][]; counts: number[] }[];
  truncated: boolean;
}

/** Candidate fuzzy-duplicate groups of the recipe's rows over `columns` (text), for review. */
export async function findDuplicates(
  engine: NodeEngine,
  data: LoadedDataset,
  recipe: Recipe,
  columns: string[],
  params: { threshold?: number; blockingNgramSize?: number },
  signal: AbortSignal,
): Promise<DuplicatesAnswer> {
  await engine.validate(data, recipe);
  const { query, columns: all } = compileRecipe(recipe, data.table, data.columns);
  for (const name of columns) {
    const c = all.find((x) => x.name === name);
    if (!c)
      throw new TidyvaultError(
        'RECIPE_COLUMN',
        `column "${name}" does not exist; columns are: ${all.map((x) => `"${x.name}"`).join(', ')}`,
        { column: name },
      );
    if (c.type !== 'text')
      throw new TidyvaultError(
        'RECIPE_TYPE',
        `column "${name}" holds ${c.type}; duplicates are found on text columns`,
        { column: name },
      );
  }
  const tuples: Select = {
    kind: 'select',
    columns: [...columns.map((c) => ({ expr: col(c) })), { expr: { kind: 'countStar' }, as: '__n' }],
    from: { kind: 'subquery', query: { ...query, orderBy: [] }, alias: 'data' },
    groupBy: columns.map((c) => col(c)),
    // First appearance order would need the row ids; most frequent first is as useful for review.
    orderBy: [{ expr: col('__n'), desc: true }, ...columns.map((c) => ({ expr: col(c) }))],
    limit: MAX_DUPLICATE_TUPLES + 1,
  };
  const rows = (await engine.connection.runAndReadAll(select(tuples))).getRowsJson();
  if (rows.length > MAX_DUPLICATE_TUPLES)
    throw new TidyvaultError(
      'RECIPE_PARAM',
      `${columns.map((c) => `"${c}"`).join(', ')} hold more than ${MAX_DUPLICATE_TUPLES.toLocaleString('en')} distinct combinations; filter the rows first (a facet, then Keep these rows)`,
    );
  const counts = rows.map((r) => Number(r[columns.length]));
  const groups = await fuzzyDuplicateGroups(
    rows.map((r, i) => ({
      rowId: i,
      values: r.slice(0, columns.length).map((v) => (v === null ? null : String(v))),
    })),
    params,
    { signal },
  );
  // Identical rows are one tuple here: a tuple on several rows is a group of exact duplicates,
  // as it is for fuzzyDuplicateGroups over rows.
  const grouped = new Set(groups.flatMap((g) => g.rows.map((r) => r.rowId)));
  const candidates = [
    ...groups.map((g) => ({ score: g.score, keys: g.keys, counts: g.rows.map((r) => counts[r.rowId]!) })),
    ...rows.flatMap((r, i) =>
      counts[i]! > 1 && !grouped.has(i)
        ? [
            {
              score: 1,
              keys: [r.slice(0, columns.length).map((v) => (v === null ? null : String(v)))],
              counts: [counts[i]!],
            },
          ]
        : [],
    ),
  ];
  // Best first; among equal scores, near-duplicates (several spellings) before exact ones.
  candidates.sort((a, b) => b.score - a.score || b.keys.length - a.keys.length);
  return {
    columns,
    tuples: rows.length,
    groups: candidates.slice(0, MAX_DUPLICATE_GROUPS),
    truncated: candidates.length > MAX_DUPLICATE_GROUPS,
  };
}
