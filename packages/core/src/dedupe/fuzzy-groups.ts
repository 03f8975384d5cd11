import { cooperativeTicker } from '../work/cooperative.js';
import { compareCodePoints } from '../text/code-points.js';
import { boundedEditDistance, codePoints, normaliseForMatch } from './similarity.js';

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
  /** Length of the blocking n-grams (code points of padded normalised values). Default 3. */
  blockingNgramSize?: number;
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

/**
 * Candidate groups of fuzzy-duplicate rows across several columns.
 *
 * 1. Rows with identical value tuples are one *record* (compared once).
 * 2. Record score = Σ weight_c · similarity(a_c, b_c) / Σ weight_c (see ./similarity.ts).
 *    Records whose score is >= threshold are linked; a group is a connected set of linked
 *    records (transitive), plus every record with several identical rows. Its score is the lowest
 *    score among all the linked pairs inside it (1 when its rows are identical).
 * 3. Blocking, exact (never loses a pair that reaches the threshold; see docs/RECIPE.md): a pair
 *    may lose at most E = (1 − threshold)·W in Σ w_c·(1 − similarity_c); by pigeonhole some
 *    column loses at most E/|U| (U: the columns heavier than that share), and two values within d
 *    edits share one of each value's d·q + 1 rarest q-grams (q-gram lemma, values padded with
 *    q − 1 sentinels; prefix filtering). Records missing a column are matched among themselves on
 *    the other columns. Without such columns, one column that must reach need_c > 0 alone blocks.
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
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError('threshold must be between 0 and 1');
  if (!Number.isInteger(q) || q < 1) throw new RangeError('blockingNgramSize must be an integer >= 1');
  // No rows, no duplicates (and no row to take the width from).
  if (rows.length === 0) return [];
  const width = rows[0]!.values.length;
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

  const tick = cooperativeTicker(n, options);

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
  const target = threshold * weightSum;
  let compared = 0;
  const compare = (i: number, j: number) => {
    compared++;
    // Upper bound from lengths first (similarity <= min/max length), then the exact score.
    let bound = 0;
    for (let c = 0; c < width; c++) {
      const a = norm[i]![c]!.length;
      const b = norm[j]![c]!.length;
      bound +=
        weights[c]! * (a === 0 && b === 0 ? 1 : a === 0 || b === 0 ? 0 : Math.min(a, b) / Math.max(a, b));
    }
    if (bound < target - 1e-12) return;
    // Column by column, each with the most edits it may have for the score to stay reachable.
    let s = 0;
    let rest = bound;
    for (let c = 0; c < width; c++) {
      const w = weights[c]!;
      if (w === 0) continue;
      const a = norm[i]![c]!;
      const b = norm[j]![c]!;
      const longest = Math.max(a.length, b.length);
      rest -= w * (longest === 0 ? 1 : Math.min(a.length, b.length) / longest);
      let sim: number;
      if (a.length === 0 || b.length === 0) sim = a.length === b.length ? 1 : 0;
      else {
        const needSim = (target - s - rest) / w;
        const maxEdits = Math.max(0, Math.floor((1 - needSim) * longest + 1e-9));
        const d = boundedEditDistance(a, b, Math.min(maxEdits, longest));
        if (d > maxEdits) return;
        sim = 1 - d / longest;
      }
      s += w * sim;
    }
    const score = s / weightSum;
    if (score >= threshold) {
      links.push({ a: i, b: j, score });
      const ra = find(i);
      const rb = find(j);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  };

  const need = weights.map((w) => (w > 0 ? (threshold * weightSum - (weightSum - w)) / w : 0));
  const budget = (1 - threshold) * weightSum; // Σ w_c · (1 − similarity_c) may not exceed this
  const seen = new Int32Array(n).fill(-1); // seen[o] === r: the pair (r, o) was compared
  let done = 0;

  /** Compare the pairs of `present` (all with a value in column c) that can reach similarity `needC` there. */
  const prefixJoin = async (present: number[], c: number, needC: number): Promise<void> => {
    if (present.length < 2) return;
    // Padded q-grams of each value, their frequency, and each value's prefix of rarest grams.
    const grams = new Map<number, string[]>();
    const freq = new Map<string, number>();
    for (const r of present) {
      const cs = [...'\u0000'.repeat(q - 1), ...normStr[r]![c]!, ...'\u0001'.repeat(q - 1)];
      const set = new Set<string>();
      for (let k = 0; k + q <= cs.length; k++) set.add(cs.slice(k, k + q).join(''));
      const list = [...set];
      for (const g of list) freq.set(g, (freq.get(g) ?? 0) + 1);
      grams.set(r, list);
    }
    const index = new Map<string, number[]>();
    const prefixes = new Map<number, string[]>();
    for (const r of present) {
      const list = grams.get(r)!;
      list.sort((x, y) => freq.get(x)! - freq.get(y)! || (x < y ? -1 : x > y ? 1 : 0));
      const d = Math.floor(((1 - needC) / needC) * norm[r]![c]!.length + 1e-9);
      const prefix = list.slice(0, Math.min(list.length, d * q + 1));
      prefixes.set(r, prefix);
      for (const g of prefix) {
        const l = index.get(g);
        if (l) l.push(r);
        else index.set(g, [r]);
      }
    }
    grams.clear();
    freq.clear();
    for (const r of present) {
      for (const g of prefixes.get(r)!) {
        for (const o of index.get(g)!) {
          if (o <= r || seen[o] === r) continue;
          seen[o] = r;
          compare(r, o);
        }
      }
      done++;
      await tick(done);
    }
  };

  /**
   * Compare every pair of `recs` that can reach the threshold; the columns not in `open` are
   * missing in all of `recs` (similarity 1, no loss).
   */
  const candidates = async (recs: number[], open: number[]): Promise<void> => {
    if (recs.length < 2) return;
    const has = (r: number, c: number) => norm[r]![c]!.length > 0;
    // Pigeonhole: some column c of U has w_c · loss_c <= budget / |U|. Columns too light for
    // that to mean anything (w_c <= budget / |U|) are left out, which raises the share.
    let usable = open.filter((c) => weights[c]! > 0);
    for (;;) {
      const share = budget / usable.length;
      const next = usable.filter((c) => weights[c]! > share + 1e-12);
      if (next.length === usable.length || next.length === 0) {
        usable = next;
        break;
      }
      usable = next;
    }
    if (usable.length > 0) {
      const share = budget / usable.length;
      for (const c of usable) {
        // Both present: similarity >= 1 − share / w_c; both missing: no loss, look at the rest;
        // one missing: loss w_c > share, so c is not the column the pigeonhole names.
        await prefixJoin(
          recs.filter((r) => has(r, c)),
          c,
          1 - share / weights[c]!,
        );
        await candidates(
          recs.filter((r) => !has(r, c)),
          open.filter((x) => x !== c),
        );
      }
      return;
    }
    // Otherwise one column that must reach need_c > 0 on its own, the heaviest.
    const c = open.filter((x) => need[x]! > 0).sort((x, y) => weights[y]! - weights[x]! || x - y)[0];
    if (c === undefined) {
      for (let x = 0; x < recs.length; x++) {
        for (let y = x + 1; y < recs.length; y++) compare(recs[x]!, recs[y]!);
        await tick(done);
      }
      return;
    }
    await prefixJoin(
      recs.filter((r) => has(r, c)),
      c,
      need[c]!,
    );
    await candidates(
      recs.filter((r) => !has(r, c)),
      open.filter((x) => x !== c),
    );
  };
  await candidates(
    Array.from({ length: n }, (_, i) => i),
    weights.map((_, c) => c),
  );
  void compared;

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
