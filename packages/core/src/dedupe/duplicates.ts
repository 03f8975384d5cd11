import { col, type Select } from '@tidyvault/sql';
import { TidyvaultError } from '../errors.js';
import { outputColumn } from '../facet/facet-query.js';
import type { Column } from '../steps/types.js';
import { fuzzyDuplicateGroups } from './fuzzy-groups.js';

/*
 * Fuzzy-duplicate candidates over the distinct value combinations of some text columns, for a
 * person to review: the query, the checks and the grouping shared by every engine (engine-node's
 * findDuplicates, engine-wasm's duplicates). The engines only run the query.
 */

/** Distinct value combinations compared at most (each is one record of the fuzzy search). */
export const MAX_DUPLICATE_TUPLES = 50_000;
/** Candidate groups returned at most, best first. */
export const MAX_DUPLICATE_GROUPS = 1_000;

export interface DuplicatesParams {
  threshold?: number;
  blockingNgramSize?: number;
}

export interface DuplicatesAnswer {
  columns: string[];
  /** Distinct value combinations compared. */
  tuples: number;
  /** `keys`: the value combinations of a group; `counts`: rows holding each. */
  groups: { score: number; keys: (string | null)[][]; counts: number[] }[];
  truncated: boolean;
}

/** Every column must exist in the recipe's output and hold text. */
export function checkDuplicateColumns(all: readonly Column[], columns: readonly string[]): void {
  for (const name of columns) {
    const c = outputColumn(all, name);
    if (c.type !== 'text')
      throw new TidyvaultError(
        'RECIPE_TYPE',
        `column "${name}" holds ${c.type}; duplicates are found on text columns`,
        { column: name },
      );
  }
}

/**
 * The distinct combinations of `columns` in `source` (the recipe's query) with their row counts
 * (`__n`, last), most frequent first, at most MAX_DUPLICATE_TUPLES + 1 (one more says too many).
 */
export function duplicateTuplesQuery(source: Select, columns: readonly string[]): Select {
  return {
    kind: 'select',
    columns: [...columns.map((c) => ({ expr: col(c) })), { expr: { kind: 'countStar' }, as: '__n' }],
    from: { kind: 'subquery', query: { ...source, orderBy: [] }, alias: 'data' },
    groupBy: columns.map((c) => col(c)),
    // First appearance order would need the row ids; most frequent first is as useful for review.
    orderBy: [{ expr: col('__n'), desc: true }, ...columns.map((c) => ({ expr: col(c) }))],
    limit: MAX_DUPLICATE_TUPLES + 1,
  };
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The candidate groups from `duplicateTuplesQuery`'s rows (the values, then the count). */
export async function duplicateCandidates(
  columns: string[],
  rows: readonly (readonly unknown[])[],
  params: DuplicatesParams,
  signal?: AbortSignal,
): Promise<DuplicatesAnswer> {
  if (rows.length > MAX_DUPLICATE_TUPLES)
    throw new TidyvaultError(
      'RECIPE_PARAM',
      `${columns.map((c) => `"${c}"`).join(', ')} hold more than ${MAX_DUPLICATE_TUPLES.toLocaleString('en')} distinct combinations; filter the rows first (a facet, then Keep these rows)`,
    );
  const counts = rows.map((r) => Number(r[columns.length]));
  const keysOf = (r: readonly unknown[]) => r.slice(0, columns.length).map(text);
  const groups = await fuzzyDuplicateGroups(
    rows.map((r, i) => ({ rowId: i, values: keysOf(r) })),
    params,
    signal ? { signal } : {},
  );
  // Identical rows are one tuple here: a tuple on several rows is a group of exact duplicates,
  // as it is for fuzzyDuplicateGroups over rows.
  const grouped = new Set(groups.flatMap((g) => g.rows.map((r) => r.rowId)));
  const candidates = [
    ...groups.map((g) => ({ score: g.score, keys: g.keys, counts: g.rows.map((r) => counts[r.rowId]!) })),
    ...rows.flatMap((r, i) =>
      counts[i]! > 1 && !grouped.has(i) ? [{ score: 1, keys: [keysOf(r)], counts: [counts[i]!] }] : [],
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
