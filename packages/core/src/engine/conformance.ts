import { isTidyvaultError } from '../errors.js';
import { parseRecipe } from '../recipe/parse.js';
import type { Cell, Engine, LoadedDataset, TableResult } from './engine.js';

export interface GoldenCase {
  name: string;
  inputCsv: Uint8Array;
  recipe: unknown;
  expected?: TableResult;
  expectedError?: { step: number; column?: string };
}

export interface GoldenOutcome {
  ok: boolean;
  message: string;
}

const BIG_INTEGER = /^-?\d+$/;

/** Integers beyond 2^53 travel as digit strings; compare them exactly with the expected integer. */
function sameBigInteger(a: Cell, b: Cell): boolean {
  const [s, n] = typeof a === 'string' ? [a, b] : [b as string, a];
  return typeof n === 'number' && Number.isInteger(n) && BIG_INTEGER.test(s) && BigInt(s) === BigInt(n);
}

function sameCell(a: Cell, b: Cell): boolean {
  if (typeof a !== typeof b && (typeof a === 'string' || typeof b === 'string') && a !== null && b !== null) {
    return sameBigInteger(a, b);
  }
  if (typeof a === 'number' && typeof b === 'number') {
    // -0.0 is a value of its own: it is written as -0.0, and a step must not turn it into 0.0.
    if (a === 0 && b === 0) return Object.is(a, b);
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

const shownCell = (v: Cell | undefined): string => (Object.is(v, -0) ? '-0' : JSON.stringify(v));

export function compareTables(actual: TableResult, expected: TableResult): string | undefined {
  const a = JSON.stringify(actual.columns);
  const e = JSON.stringify(expected.columns);
  if (a !== e) return `columns differ:\n  got      ${a}\n  expected ${e}`;
  if (actual.rows.length !== expected.rows.length) {
    return `row count differs: got ${actual.rows.length}, expected ${expected.rows.length}\n  got ${JSON.stringify(actual.rows)}`;
  }
  for (let r = 0; r < expected.rows.length; r++) {
    const got = actual.rows[r]!;
    const want = expected.rows[r]!;
    for (let c = 0; c < want.length; c++) {
      if (!sameCell(got[c] ?? null, want[c] ?? null)) {
        return `row ${r + 1}, column "${expected.columns[c]?.name}": got ${shownCell(got[c])}, expected ${shownCell(want[c])}`;
      }
    }
  }
  return undefined;
}

/**
 * Pages of the result must be slices of the whole: an engine may compute a page from the page's
 * rows alone (steps that keep rows in place), and a cluster-merge must still count every row.
 */
async function pageProblem(
  engine: Engine,
  dataset: LoadedDataset,
  recipe: unknown,
  whole: TableResult,
): Promise<string | undefined> {
  const n = whole.rows.length;
  const limit = 2;
  const offsets = new Set([n, Math.max(0, n - 1)]);
  for (let o = 0; o < n; o += Math.max(1, Math.ceil(n / 8))) offsets.add(o);
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    const page = await engine.run(dataset, parseRecipe(recipe), { offset, limit });
    const diff = compareTables(page, {
      columns: whole.columns,
      rows: whole.rows.slice(offset, offset + limit),
    });
    if (diff) return `the page of rows ${offset + 1}–${offset + limit}: ${diff}`;
  }
  return undefined;
}

/** Run one golden case on an engine: the same cases must pass on every engine. */
export async function runGoldenCase(engine: Engine, c: GoldenCase): Promise<GoldenOutcome> {
  const dataset = await engine.loadCsv(`${c.name}.csv`, c.inputCsv);
  try {
    let actual: TableResult;
    try {
      const recipe = parseRecipe(c.recipe);
      await engine.validate(dataset, recipe);
      actual = await engine.run(dataset, recipe);
    } catch (e) {
      if (!c.expectedError || !isTidyvaultError(e)) throw e;
      const step = e.location.step?.index;
      const ok =
        step === c.expectedError.step &&
        (c.expectedError.column === undefined || e.location.column === c.expectedError.column);
      return {
        ok,
        message: ok
          ? e.message
          : `expected an error at step ${c.expectedError.step} column ${c.expectedError.column}, got: ${e.message}`,
      };
    }
    if (c.expectedError)
      return { ok: false, message: `expected an error at step ${c.expectedError.step}, but the recipe ran` };
    const diff = compareTables(actual, c.expected!) ?? (await pageProblem(engine, dataset, c.recipe, actual));
    return { ok: diff === undefined, message: diff ?? 'ok' };
  } finally {
    await engine.drop(dataset);
  }
}
