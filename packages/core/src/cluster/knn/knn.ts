import { cooperativeTicker } from '../../work/cooperative.js';
import { compareCodePoints } from '../../text/code-points.js';
import type { Cluster } from '../cluster-query.js';
import { BoundedEditDistance } from '../../text/edit-distance.js';
import { javaLowerUnits, PatternLevenshtein } from './levenshtein.js';
import { blockingNgrams } from './normalize.js';
import { PpmDistance } from './ppm.js';

export type KnnMethod = 'levenshtein' | 'ppm';

export interface KnnParams {
  method: KnnMethod;
  /** Largest distance at which two values are neighbours (inclusive). OpenRefine's default: 1. Negative: every blocked pair. */
  radius?: number;
  /** Length of the blocking n-grams. OpenRefine's default: 6. */
  blockingNgramSize?: number;
  /**
   * Reproduce OpenRefine on a machine with this many cores (Java's availableProcessors(), 1..32).
   * OpenRefine splits the blocks over one thread per core and reports each thread's partial
   * neighbourhoods as separate clusters, so its output depends on the machine. Default 1: every
   * value's complete neighbourhood. For an exact match, give `values` in order of first
   * appearance in the column (the order OpenRefine fills its blocks in).
   */
  openRefineThreads?: number;
}

export interface KnnOptions {
  /** Abort to stop: the promise rejects with `signal.reason` (an `AbortError` DOMException by default). */
  signal?: AbortSignal;
  /** Called now and then with (values done, values in all), and once at the end with (total, total). */
  onProgress?: (done: number, total: number) => void;
}

export const KNN_DEFAULT_RADIUS = 1;
export const KNN_DEFAULT_BLOCKING_NGRAM_SIZE = 6;

/**
 * OpenRefine's nearest-neighbour clustering (kNN clusterer with Vicino's `NGramClusterer`), over
 * distinct values with their counts.
 *
 * - Blocking: every value goes into one block per distinct n-gram of its normalised text
 *   (see `blockingNgrams`); only two values that share a block are compared.
 * - Neighbours: two values are neighbours when `distance(a, b) <= radius` (or radius < 0).
 * - Clusters are formed per value, not by transitive closure: every value with at least one
 *   neighbour gives the cluster {value} ∪ neighbours(value); identical clusters are reported once,
 *   so clusters may overlap (a value can appear in several). With `openRefineThreads` = N, as
 *   OpenRefine on N cores: the blocks are split over N threads and each thread's neighbourhoods
 *   (pairs found in its own blocks) are separate clusters.
 * - Only clusters of two or more values; inside a cluster values are ordered by count descending
 *   then code point, and `suggested` is the first; clusters largest first (then by total count,
 *   then by their values).
 *
 * Memory is bounded by the values, their n-gram postings and the neighbour pairs found: pairs are
 * enumerated per value through the blocks and never stored unless they are neighbours.
 */
export async function knnClusters(
  values: readonly { value: string; count: number }[],
  params: KnnParams,
  options: KnnOptions = {},
): Promise<Cluster[]> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const radius = params.radius ?? KNN_DEFAULT_RADIUS;
  const ngramSize = params.blockingNgramSize ?? KNN_DEFAULT_BLOCKING_NGRAM_SIZE;
  if (!Number.isInteger(ngramSize) || ngramSize < 1)
    throw new RangeError('blockingNgramSize must be an integer >= 1');
  if (Number.isNaN(radius)) throw new RangeError('radius must be a number');

  // Distinct values (counts of repeated entries are added up).
  const index = new Map<string, number>();
  const strs: string[] = [];
  const counts: number[] = [];
  for (const { value, count } of values) {
    const at = index.get(value);
    if (at === undefined) {
      index.set(value, strs.length);
      strs.push(value);
      counts.push(count);
    } else counts[at]! += count;
  }
  index.clear();
  const n = strs.length;
  const threads = params.openRefineThreads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 32)
    throw new RangeError('openRefineThreads must be an integer from 1 to 32');

  const tick = cooperativeTicker(n, options);

  // Blocks, numbered in order of first appearance (values in the order given, n-grams in order).
  const blockIds = new Map<string, number>();
  const blockSizes: number[] = [];
  const origBlocks: Int32Array[] = new Array<Int32Array>(n);
  for (let i = 0; i < n; i++) {
    const grams = blockingNgrams(strs[i]!, ngramSize);
    const ids = new Int32Array(grams.length);
    for (let k = 0; k < grams.length; k++) {
      const g = grams[k]!;
      let b = blockIds.get(g);
      if (b === undefined) {
        b = blockSizes.length;
        blockIds.set(g, b);
        blockSizes.push(0);
      }
      blockSizes[b]!++;
      ids[k] = b;
    }
    origBlocks[i] = ids;
    if ((i & 1023) === 0) await tick(0);
  }
  // Which of OpenRefine's threads evaluates each block (see javaHashMapThreads); all 0 for one.
  const threadOf = threads > 1 ? javaHashMapThreads([...blockIds.keys()], threads) : undefined;
  blockIds.clear();

  // Number values by length (UTF-16 units, then first appearance): every block then lists them
  // by length too, which lets levenshtein stop reading a block past the lengths within radius.
  // The clusters do not depend on the numbering.
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => strs[a]!.length - strs[b]!.length || a - b,
  );
  const sortedStrs = order.map((i) => strs[i]!);
  const sortedCounts = order.map((i) => counts[i]!);
  const valueBlocks = order.map((i) => origBlocks[i]!);
  origBlocks.length = 0;
  for (let i = 0; i < n; i++) {
    strs[i] = sortedStrs[i]!;
    counts[i] = sortedCounts[i]!;
  }
  const lengths = Int32Array.from(strs, (s) => s.length);
  const maxLengthGap =
    params.method === 'levenshtein' && radius >= 0 ? Math.floor(radius) : Number.POSITIVE_INFINITY;
  const blocks = blockSizes.map((size) => new Int32Array(size));
  const fill = new Int32Array(blocks.length);
  for (let i = 0; i < n; i++) for (const b of valueBlocks[i]!) blocks[b]![fill[b]!++] = i;
  blockSizes.length = 0;

  // Neighbour pairs, each with the set of threads (bit mask) whose blocks hold both values.
  const near = neighbourTest(params.method, strs, radius);
  const neighbours: (number[] | undefined)[] = new Array<number[] | undefined>(n);
  const masks: (number[] | undefined)[] = new Array<number[] | undefined>(n);
  const seen = new Int32Array(n).fill(-1);
  const slot = new Int32Array(n);
  const foundJ: number[] = [];
  const foundMask: number[] = [];
  for (let i = 0; i < n; i++) {
    seen[i] = i;
    foundJ.length = 0;
    foundMask.length = 0;
    for (const b of valueBlocks[i]!) {
      const members = blocks[b]!;
      if (members.length < 2) continue;
      const bit = threadOf ? 1 << threadOf[b]! : 1;
      // Members are ascending: start after i (pairs are visited once, from their smaller id).
      const stop = lengths[i]! + maxLengthGap;
      for (let k = upperBound(members, i); k < members.length; k++) {
        const j = members[k]!;
        if (lengths[j]! > stop) break;
        if (seen[j] === i) {
          if (threadOf && slot[j]! >= 0) foundMask[slot[j]!]! |= bit;
          continue;
        }
        seen[j] = i;
        if (near(i, j)) {
          slot[j] = foundJ.length;
          foundJ.push(j);
          foundMask.push(bit);
        } else slot[j] = -1;
      }
    }
    for (let k = 0; k < foundJ.length; k++) {
      const j = foundJ[k]!;
      (neighbours[i] ??= []).push(j);
      (masks[i] ??= []).push(foundMask[k]!);
      (neighbours[j] ??= []).push(i);
      (masks[j] ??= []).push(foundMask[k]!);
    }
    if ((i & 63) === 0) await tick(i);
  }

  // One cluster per value (and per thread) with neighbours; identical sets count once.
  const keys = new Set<string>();
  const clusters: Cluster[] = [];
  for (let i = 0; i < n; i++) {
    const nb = neighbours[i];
    if (!nb) continue;
    const ms = masks[i]!;
    let union = 0;
    for (const m of ms) union |= m;
    for (let t = 0; t < threads; t++) {
      const bit = 1 << t;
      if (!(union & bit)) continue;
      const members = [i];
      nb.forEach((j, k) => {
        if (ms[k]! & bit) members.push(j);
      });
      members.sort((x, y) => x - y);
      const key = members.join(',');
      if (keys.has(key)) continue;
      keys.add(key);
      const vals = members.map((m) => ({ value: strs[m]!, count: counts[m]! }));
      vals.sort((a, b) => b.count - a.count || compareCodePoints(a.value, b.value));
      clusters.push({ values: vals, suggested: vals[0]!.value });
    }
  }
  clusters.sort(compareClusters);
  onProgress?.(n, n);
  return clusters;
}

/** First index in ascending `a` whose element is greater than `x`. */
function upperBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * For each block (numbered by first appearance), the OpenRefine thread that evaluates it:
 * Vicino's NGramClusterer keeps its blocks in a java.util.HashMap<String, ...> and hands
 * `new ArrayList<>(blocks.values())` to `cores` threads in contiguous ranges of
 * `size / cores + 1` blocks. A HashMap iterates bucket by bucket (bucket = spread String.hashCode
 * masked by the table size, the table being the smallest power of two >= 16 that holds the
 * entries at load factor 0.75), and within a bucket in insertion order. (A bucket of 9+ entries
 * would become a tree and iterate differently; with String hashes this practically never happens.)
 */
function javaHashMapThreads(grams: string[], cores: number): Uint8Array {
  const size = grams.length;
  let cap = 16;
  while (size > cap * 0.75) cap *= 2;
  const bucket = new Int32Array(size);
  grams.forEach((g, b) => {
    let h = 0;
    for (let k = 0; k < g.length; k++) h = (Math.imul(31, h) + g.charCodeAt(k)) | 0;
    bucket[b] = (h ^ (h >>> 16)) & (cap - 1);
  });
  const order = Array.from({ length: size }, (_, b) => b).sort((x, y) => bucket[x]! - bucket[y]! || x - y);
  const range = Math.floor(size / cores) + 1;
  const thread = new Uint8Array(size);
  order.forEach((b, position) => {
    thread[b] = Math.floor(position / range);
  });
  return thread;
}

function total(c: Cluster): number {
  let s = 0;
  for (const v of c.values) s += v.count;
  return s;
}

/** Largest first, then most rows, then by the values in their order (code point). */
function compareClusters(a: Cluster, b: Cluster): number {
  const d = b.values.length - a.values.length || total(b) - total(a);
  if (d) return d;
  for (let k = 0; k < a.values.length; k++) {
    const c = compareCodePoints(a.values[k]!.value, b.values[k]!.value);
    if (c) return c;
  }
  return 0;
}

function neighbourTest(method: KnnMethod, strs: string[], radius: number): (i: number, j: number) => boolean {
  if (radius < 0) return () => true;
  if (method === 'levenshtein') {
    const max = Math.floor(radius);
    // Every value's lower-cased code units, one after another in one buffer.
    const offsets = new Int32Array(strs.length + 1);
    for (let i = 0; i < strs.length; i++) offsets[i + 1] = offsets[i]! + strs[i]!.length;
    const buf = new Uint16Array(offsets[strs.length]!);
    strs.forEach((s, i) => buf.set(javaLowerUnits(s), offsets[i]!));
    const lev = new BoundedEditDistance();
    const pattern = new PatternLevenshtein();
    let patternOf = -1;
    return (i, j) => {
      const oi = offsets[i]!;
      const li = offsets[i + 1]! - oi;
      const oj = offsets[j]!;
      const lj = offsets[j + 1]! - oj;
      // The distance is at least the length difference.
      if (li - lj > max || lj - li > max) return false;
      // Radius 1 is settled by the common prefix and suffix alone; larger radii of values up to
      // 32 units go bit-parallel, with value i (asked about many j in a row) as the pattern.
      if (max < 2 || li > 32) return lev.distanceIn(buf, oi, li, oj, lj, max) <= max;
      if (patternOf !== i) {
        pattern.setPattern(buf, oi, li);
        patternOf = i;
      }
      return pattern.distance(buf, oj, lj, max) <= max;
    };
  }
  if (method === 'ppm') {
    const ppm = new PpmDistance();
    return (i, j) => ppm.distance(strs[i]!, strs[j]!) <= radius;
  }
  throw new RangeError(`unknown kNN method: ${String(method)}`);
}
