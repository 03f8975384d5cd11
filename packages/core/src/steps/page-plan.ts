import { col, type Select } from '@tidyvault/sql';
import { ROW_ID } from '../compile/analyze.js';
import { compileRecipe } from '../compile/compile.js';
import type { TableResult } from '../engine/engine.js';
import type { Recipe } from '../recipe/schema.js';
import { staysInPlace, stepInfos, type StepInfo } from './step-shape.js';
import { stepDefinition, type Step } from './registry.js';
import type { Column } from './types.js';

/**
 * May row-wise step `r` run after `n` instead of before it? Yes when `n` uses only columns `r`
 * carries unchanged (and the row order, which `r` keeps): a sort by city does not care whether
 * names were trimmed first.
 */
function commutes(r: StepInfo, n: StepInfo): boolean {
  if (r.shape !== 'rowwise' || !n.reads) return false;
  // r computes nothing from the row id (it carries it): its values do not depend on the order.
  if (r.reads?.has(ROW_ID) !== false) return false;
  for (const c of n.reads) if (!r.carries.has(c)) return false;
  return true;
}

/**
 * How to answer a page of `base` followed by `steps` without materialising them: the steps split
 * into a head (up to the last step that is not row-wise) and a row-wise tail applied to the
 * head's page only. Row-wise steps of the head that commute with every later head step move to
 * the tail too (a sort after a trim: the top rows by city are found first, then trimmed).
 */
export interface PagePlan {
  head: Step[];
  tail: Step[];
  /** The head keeps the rows' order: its page streams (no ORDER BY, no sort). */
  headKeepsOrder: boolean;
  /** The head keeps the number of rows: the total is the base's. */
  headKeepsCount: boolean;
  /** Some head step is neither row-wise, filter nor counted: as costly as materialising. */
  headOther: boolean;
  /**
   * Every step keeps its rows in place (row-wise, or a cluster-merge): a page is the same range
   * of the base's rows (rangePageQuery), and the total is the base's.
   */
  inPlace: boolean;
}

export function pagePlan(steps: Step[], input: Column[]): PagePlan {
  const info = stepInfos(steps, input);
  let cut = steps.length;
  while (cut > 0 && info[cut - 1]!.shape === 'rowwise') cut--;
  // Head steps that can run after the others, taken from the end while each can.
  const moved: number[] = [];
  const later: StepInfo[] = [];
  for (let i = cut - 1; i >= 0; i--) {
    const x = info[i]!;
    if (x.shape !== 'rowwise') {
      later.push(x);
      continue;
    }
    if (!later.every((n) => commutes(x, n))) break;
    moved.unshift(i);
  }
  const inPlace = steps.every((step, i) => staysInPlace(step, info[i]!));
  const plan = (headIdx: number[], tail: Step[]): PagePlan => {
    const head = headIdx.map((i) => info[i]!.shape);
    return {
      inPlace,
      head: headIdx.map((i) => steps[i]!),
      tail,
      headKeepsOrder: head.every((x) => x === 'rowwise' || x === 'filter'),
      headKeepsCount: head.every((x) => x === 'rowwise' || x === 'counted'),
      headOther: head.some((x) => x === 'other'),
    };
  };
  const all = steps.map((_, i) => i);
  const straight = plan(all.slice(0, cut), steps.slice(cut));
  if (moved.length === 0 || info.slice(0, cut).some((x) => x.shape === 'other')) return straight;
  const reordered = plan(
    all.slice(0, cut).filter((i) => !moved.includes(i)),
    [...moved.map((i) => steps[i]!), ...steps.slice(cut)],
  );
  // The same columns at the end, or the straight plan (a check, not expected to differ).
  try {
    const a = compileRecipe(recipeOf([...reordered.head, ...reordered.tail]), 'input', input).columns;
    const b = compileRecipe(recipeOf(steps), 'input', input).columns;
    if (JSON.stringify(a) === JSON.stringify(b)) return reordered;
  } catch {
    // fall through
  }
  return straight;
}

const recipeOf = (steps: Step[]): Recipe => ({ version: 1, steps });

/**
 * A page of `table` (rowid = position) followed by `steps` that keep rows in place (row-wise ones,
 * cluster-merge): the rowid range is selected first, so the steps compute only the page's rows
 * (a cluster-merge still counts its column's values over every row).
 */
export function rangePageQuery(
  table: string,
  columns: Column[],
  steps: Step[],
  offset: number,
  limit: number,
): { query: Select; columns: Column[] } {
  const compiled = compileRecipe(recipeOf(steps), table, columns, { rows: { offset, limit } });
  return { query: compiled.query, columns: compiled.columns };
}

/**
 * A page of `table` followed by the plan's head (with LIMIT/OFFSET: streamed when it keeps the
 * order, a top-N otherwise), then the row-wise tail applied to those rows only.
 */
export function headPageQuery(
  table: string,
  columns: Column[],
  plan: PagePlan,
  offset: number,
  limit: number,
): { query: Select; columns: Column[] } {
  const head = compileRecipe(recipeOf(plan.head), table, columns, { keepRowId: plan.tail.length > 0 });
  // Without ORDER BY, DuckDB keeps the scan's order (preserve_insertion_order) and stops early.
  const order = plan.headKeepsOrder ? [] : head.query.orderBy!;
  const page: Select = { ...head.query, orderBy: order, limit, offset };
  if (plan.tail.length === 0) return { query: page, columns: head.columns };
  // The head's page, numbered in its order, is the tail's input (its row id the number).
  let position = '__tidyvault_page_row__';
  while (head.columns.some((c) => c.name === position)) position += '_';
  const numbered: Select = {
    kind: 'select',
    star: {},
    columns: [
      {
        expr: {
          kind: 'call',
          fn: 'row_number',
          args: [],
          over: { orderBy: order.length > 0 ? order : [{ expr: col(ROW_ID) }] },
        },
        as: position,
      },
    ],
    from: { kind: 'subquery', query: page, alias: 'page' },
  };
  const tail = compileRecipe(recipeOf(plan.tail), 'page', head.columns, { rowIdColumn: position });
  const [source, ...rest] = tail.query.with!;
  return {
    query: {
      ...tail.query,
      with: [
        {
          ...source!,
          query: { ...source!.query, from: { kind: 'subquery', query: numbered, alias: 'page' } },
        },
        ...rest,
      ],
    },
    columns: tail.columns,
  };
}

/**
 * Rows offset… of `steps` run on the first `prefix` rows of `table` (rowid = position). When the
 * steps' first rows depend only on the rows before them (a dedupe, which keeps first occurrences,
 * then row-wise steps) and the prefix yields all of offset + limit, they are the rows offset… of
 * the steps run on the whole table.
 */
export function prefixPageQuery(
  table: string,
  columns: Column[],
  steps: Step[],
  prefix: number,
  offset: number,
  limit: number,
): { query: Select; columns: Column[] } {
  const compiled = compileRecipe(recipeOf(steps), table, columns, {
    rows: { offset: 0, limit: prefix },
    offset,
    limit,
  });
  return { query: compiled.query, columns: compiled.columns };
}

/** The deepest page a dedupe's first rows answer (firstRowsPage); deeper ones read every row. */
export const FIRST_ROWS_DEPTH = 10_000;
/** The fewest rows firstRowsPage looks in. */
const FIRST_ROWS = 10_000;

/**
 * May rows offset… of `plan`'s steps on `data` come from its first rows (firstRowsPage)? When
 * the head is one step whose first rows come from its input's first rows (a dedupe), `data`'s
 * rowid is the position, and the page is not deep.
 */
export function answersFromFirstRows(
  plan: PagePlan,
  data: { rowIdColumn?: string },
  offset: number,
  limit: number,
): boolean {
  return (
    plan.head.length === 1 &&
    stepDefinition(plan.head[0]!.op)?.firstRowsFromFirstRows === true &&
    data.rowIdColumn === undefined &&
    offset + limit <= FIRST_ROWS_DEPTH
  );
}

/**
 * Rows offset… of `steps` (see answersFromFirstRows) on `table`, from its first rows: four times
 * as many as the page reaches, and four times more while they give too few rows.
 */
export async function firstRowsPage(
  table: string,
  columns: Column[],
  rowCount: number,
  steps: Step[],
  offset: number,
  limit: number,
  run: (query: Select, columns: Column[]) => Promise<TableResult>,
): Promise<TableResult> {
  for (let prefix = Math.max(4 * (offset + limit), FIRST_ROWS); ; prefix *= 4) {
    const q = prefixPageQuery(table, columns, steps, prefix, offset, limit);
    const page = await run(q.query, q.columns);
    if (page.rows.length === limit || prefix >= rowCount) return page;
  }
}
