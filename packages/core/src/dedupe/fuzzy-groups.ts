import { compareCodePoints } from '../text/code-points.js';
import { codePoints, normaliseForMatch, similarity } from './similarity.js';

/** One row: its row-order id and the values of the columns being compared (text or NULL). */
export interface DedupeRow {
  rowId: number;
  values: readonly (string | null)[];
}

export interface FuzzyDedupeParams {
  /** Smallest record score for two rows to be linked (0..1). Default 0.85. */
  threshold?: number;
  /** Weight of each column in the record score (same order as the values). Default: all 1. */
  weights?: readonly number[];
  /** Length of the blocking n-grams (code points of normalised values). Default 3. */
  blockingNgramSize?: number;
  /** Blocks holding more distinct records than this are not used to propose pairs. Default 1000. */
  maxBlockSize?: number;
}

export interface FuzzyDedupeOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** A candidate group of duplicate rows, for a person to confirm. */
export interface DuplicateGroup {
  /** The lowest record score among the linked pairs inside the group (1 for identical rows only). */
  score: number;
  /** The distinct value tuples of the group, in first-row order (what a dedupe-groups step stores). */
  keys: (string | null)[][];
  /** Every row of the group, in row order; the first one is the row a dedupe-groups step keeps. */
  rows: DedupeRow[];
}

const SLICE_MS = 25;

/**
 * Candidate groups of fuzzy-duplicate rows across several columns.
 *
 * 1. Rows with identical value tuples are one *record* (compared once).
 * 2. Blocking: each record goes into one block per (column, n-gram of its normalised value); a
 *    value shorter than the n-gram size is its own block key. Two records are compared only if
 *    they share a block with at most `maxBlockSize` records (huge blocks such as the n-grams of
 *    a common city name carry no information and would make the work quadratic).
 * 3. Record score = Σ weight_c · similarity(a_c, b_c) / Σ weight_c (see ./similarity.ts).
 * 4. Records whose score is >= threshold are linked; a group is a connected set of linked
 *    records (transitive), plus every record with several identical rows (score 1).
 *    Its score is the lowest score among all the linked pairs inside it.
 * Groups come most similar first (score descending, then more rows, then first row).
 */
export async function fuzzyDuplicateGroups(
  rows: readonly DedupeRow[],
  params: FuzzyDedupeParams = {},
  options: FuzzyDedupeOptions = {},
): Promise<DuplicateGroup[]> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const threshold = params.threshold ?? 0.85;
  const q = params.blockingNgramSize ?? 3;
  const maxBlock = params.maxBlockSize ?? 1000;
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError('threshold must be between 0 and 1');
  if (!Number.isInteger(q) || q < 1) throw new RangeError('blockingNgramSize must be an integer >= 1');
  const width = rows[0]?.values.length ?? 0;
  const weights = params.weights ?? new Array<number>(width).fill(1);
  if (weights.length !== width || weights.some((w) => !(w >= 0)) || weights.every((w) => w === 0))
    throw new RangeError('weights: one non-negative weight per column, not all zero');
  const weightSum = weights.reduce((a, b) => a + b, 0);

  // Records: distinct tuples, with their rows.
  const byKey = new Map<string, number>();
  const recRows: DedupeRow[][] = [];
  for (const r of rows) {
    if (r.values.length !== width) throw new RangeError('every row needs the same number of values');
    const key = JSON.stringify(r.values);
    let at = byKey.get(key);
    if (at === undefined) {
      at = recRows.length;
      byKey.set(key, at);
      recRows.push([]);
    }
    recRows[at]!.push(r);
  }
  byKey.clear();
  const n = recRows.length;
  const normStr = recRows.map((rs) => rs[0]!.values.map((v) => normaliseForMatch(v)));
  const norm = normStr.map((vs) => vs.map(codePoints));

  let clock = performance.now();
  const tick = async (done: number) => {
    if (performance.now() - clock < SLICE_MS) return;
    onProgress?.(done, n);
    await new Promise((resolve) => setTimeout(resolve, 0));
    signal?.throwIfAborted();
    clock = performance.now();
  };

  // Blocks.
  const blockIds = new Map<string, number>();
  const blocks: number[][] = [];
  const recBlocks: number[][] = [];
  for (let i = 0; i < n; i++) {
    const mine = new Set<number>();
    normStr[i]!.forEach((s, c) => {
      if (s === '') return;
      const chars = [...s];
      const grams =
        chars.length <= q
          ? [s]
          : chars.slice(0, chars.length - q + 1).map((_, k) => chars.slice(k, k + q).join(''));
      for (const g of grams) {
        const key = `${c}\u0000${g}`;
        let b = blockIds.get(key);
        if (b === undefined) {
          b = blocks.length;
          blockIds.set(key, b);
          blocks.push([]);
        }
        if (!mine.has(b)) {
          mine.add(b);
          blocks[b]!.push(i);
        }
      }
    });
    recBlocks.push([...mine]);
    if ((i & 1023) === 0) await tick(0);
  }
  blockIds.clear();

  // Union-find over records; links with their scores.
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const links: { a: number; b: number; score: number }[] = [];
  const seen = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    seen[i] = i;
    for (const b of recBlocks[i]!) {
      const members = blocks[b]!;
      if (members.length < 2 || members.length > maxBlock) continue;
      for (const j of members) {
        if (j <= i || seen[j] === i) continue;
        seen[j] = i;
        let s = 0;
        for (let c = 0; c < width; c++)
          if (weights[c]! > 0) s += weights[c]! * similarity(norm[i]![c]!, norm[j]![c]!);
        const score = s / weightSum;
        if (score >= threshold) {
          links.push({ a: i, b: j, score });
          const ra = find(i);
          const rb = find(j);
          if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
      }
    }
    if ((i & 255) === 0) await tick(i);
  }

  // Groups: components with two or more rows.
  const groupOf = new Map<number, { recs: number[]; score: number }>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    const g = groupOf.get(root) ?? { recs: [], score: 1 };
    g.recs.push(i);
    groupOf.set(root, g);
  }
  for (const l of links) {
    const g = groupOf.get(find(l.a))!;
    if (l.score < g.score) g.score = l.score;
  }
  const groups: DuplicateGroup[] = [];
  for (const g of groupOf.values()) {
    const groupRows = g.recs.flatMap((r) => recRows[r]!);
    if (groupRows.length < 2) continue;
    groupRows.sort((x, y) => x.rowId - y.rowId);
    const recsInOrder = [...g.recs].sort((x, y) => recRows[x]![0]!.rowId - recRows[y]![0]!.rowId);
    groups.push({
      score: g.score,
      keys: recsInOrder.map((r) => [...recRows[r]![0]!.values]),
      rows: groupRows,
    });
  }
  groups.sort(
    (x, y) =>
      y.score - x.score ||
      y.rows.length - x.rows.length ||
      x.rows[0]!.rowId - y.rows[0]!.rowId ||
      compareCodePoints(JSON.stringify(x.keys), JSON.stringify(y.keys)),
  );
  onProgress?.(n, n);
  return groups;
}

/** The recipe step that keeps one row per confirmed group (the first in row order). */
export function dedupeGroupsStep(
  columns: readonly string[],
  confirmed: readonly Pick<DuplicateGroup, 'keys'>[],
): { op: 'dedupe-groups'; columns: string[]; groups: (string | null)[][][] } {
  return {
    op: 'dedupe-groups',
    columns: [...columns],
    groups: confirmed.map((g) => g.keys.map((k) => [...k])),
  };
}
