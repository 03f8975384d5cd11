import { compileRecipe, ROW_ID, type Column, type Recipe, type Step } from '@tidyvault/core';
import { and, bin, col, lit, type Expr, type FunctionName, type Select } from '@tidyvault/sql';

/**
 * What a step does to the rows, read off the SQL it compiles to (what DuckDB runs, so a new step
 * is judged by its SQL, not by a list of ops):
 * - `rowwise`: one projection of its input, row id passed through, only scalar functions: the
 *   same rows in the same order, each computed from its own input row alone (trim, replace, …);
 * - `filter`: the same, plus a WHERE: some of the rows, still in order;
 * - `counted`: one projection without WHERE, from one relation, no aggregate or set-returning
 *   function outside a window: as many rows as its input, maybe reordered (sort, fill-down);
 * - `other`: anything else (dedupe, cluster-merge, split into rows, …).
 */
export type StepShape = 'rowwise' | 'filter' | 'counted' | 'other';

/**
 * Functions that map one row's values to one value. Anything not listed (aggregates, windows,
 * set-returning functions, functions added later) counts as not row-local: a step using one only
 * loses the fast paths, never correctness.
 */
const SCALAR: ReadonlySet<FunctionName> = new Set<FunctionName>([
  'abs',
  'array_to_string',
  'chr',
  'coalesce',
  'concat',
  'concat_ws',
  'contains',
  'greatest',
  'json_extract_string',
  'json_keys',
  'json_transform',
  'json_type',
  'to_json',
  'least',
  'left',
  'length',
  'list_distinct',
  'list_filter',
  'list_sort',
  'list_transform',
  'lower',
  'ltrim',
  'nullif',
  'printf',
  'regexp_extract',
  'regexp_extract_all',
  'regexp_full_match',
  'regexp_matches',
  'regexp_replace',
  'replace',
  'rtrim',
  'starts_with',
  'strftime',
  'string_split',
  'string_split_regex',
  'strip_accents',
  'strlen',
  'strptime',
  'substr',
  'translate',
  'trunc',
  'trim',
  'try_strptime',
  'typeof',
  'upper',
]);

/** Every function in `e` is scalar (no window, aggregate, subquery); with `windows`, window calls are allowed too. */
function rowLocal(e: Expr, windows = false): boolean {
  switch (e.kind) {
    case 'column':
    case 'literal':
    case 'param':
      return true;
    case 'call':
      if (e.over) return windows && e.args.every((a) => rowLocal(a, windows));
      return (
        SCALAR.has(e.fn) &&
        !e.distinct &&
        !e.orderBy?.length &&
        !e.ignoreNulls &&
        e.args.every((a) => rowLocal(a, windows))
      );
    case 'countStar':
      return windows && e.over !== undefined;
    case 'binary':
      return rowLocal(e.left, windows) && rowLocal(e.right, windows);
    case 'unary':
      return rowLocal(e.arg, windows);
    case 'case':
      return (
        e.whens.every((w) => rowLocal(w.when, windows) && rowLocal(w.then, windows)) &&
        (e.else === undefined || rowLocal(e.else, windows))
      );
    case 'cast':
      return rowLocal(e.expr, windows);
    case 'in':
      return rowLocal(e.expr, windows) && e.list.every((x) => rowLocal(x, windows));
    case 'lambda':
      return rowLocal(e.body, windows);
    case 'list':
      return e.items.every((x) => rowLocal(x, windows));
    case 'index':
      return rowLocal(e.expr, windows) && rowLocal(e.index, windows);
    case 'slice':
      return (
        rowLocal(e.expr, windows) &&
        rowLocal(e.from, windows) &&
        (e.to === undefined || rowLocal(e.to, windows))
      );
    case 'struct':
      return e.fields.every((f) => rowLocal(f.value, windows));
    case 'subquery':
      return false;
  }
}

const isRowId = (e: Expr) => e.kind === 'column' && e.name === ROW_ID && e.table === undefined;

/** Names of the columns `e` refers to (lambda parameters included: over-counting is safe). */
function references(e: Expr | undefined, into: Set<string>): Set<string> {
  if (!e) return into;
  const order = (items: { expr: Expr }[] | undefined) => items?.forEach((o) => references(o.expr, into));
  switch (e.kind) {
    case 'column':
      into.add(e.name);
      break;
    case 'call':
      e.args.forEach((a) => references(a, into));
      order(e.orderBy);
      e.over?.partitionBy?.forEach((a) => references(a, into));
      order(e.over?.orderBy);
      break;
    case 'countStar':
      e.over?.partitionBy?.forEach((a) => references(a, into));
      order(e.over?.orderBy);
      break;
    case 'binary':
      references(e.left, into);
      references(e.right, into);
      break;
    case 'unary':
      references(e.arg, into);
      break;
    case 'case':
      e.whens.forEach((w) => (references(w.when, into), references(w.then, into)));
      references(e.else, into);
      break;
    case 'cast':
      references(e.expr, into);
      break;
    case 'in':
      references(e.expr, into);
      e.list.forEach((x) => references(x, into));
      break;
    case 'lambda':
      references(e.body, into);
      break;
    case 'list':
      e.items.forEach((x) => references(x, into));
      break;
    case 'index':
      references(e.expr, into);
      references(e.index, into);
      break;
    case 'slice':
      references(e.expr, into);
      references(e.from, into);
      references(e.to, into);
      break;
    case 'struct':
      e.fields.forEach((f) => references(f.value, into));
      break;
    case 'literal':
    case 'param':
    case 'subquery':
      break;
  }
  return into;
}

/** What a step does, read off its SQL. */
interface StepInfo {
  shape: StepShape;
  /** Columns whose values it uses (not only carries along); undefined: unknown, anything. */
  reads?: Set<string>;
  /** Columns it carries unchanged (same name, same value). */
  carries: Set<string>;
}

function stepInfo(step: Step, input: Column[]): StepInfo {
  const { query } = compileRecipe({ version: 1, steps: [step] }, 'input', input);
  const ctes = query.with ?? [];
  const other: StepInfo = { shape: 'other', carries: new Set() };
  if (ctes.length !== 2) return other;
  const [source, own] = [ctes[0]!, ctes[1]!];
  const q = own.query;
  const plain =
    !own.materialized &&
    !q.with &&
    !q.distinct &&
    !q.star &&
    !q.groupBy?.length &&
    !q.having &&
    !q.qualify &&
    !q.orderBy?.length &&
    q.limit === undefined &&
    q.offset === undefined &&
    q.from?.kind === 'table' &&
    q.from.name === source.name &&
    q.columns[0]?.as === ROW_ID;
  if (!plain) return other;
  const exprs = q.columns.map((c) => c.expr);
  const carried = (c: { expr: Expr; as?: string }) => c.expr.kind === 'column' && c.expr.name === c.as;
  const carries = new Set(q.columns.filter(carried).map((c) => c.as!));
  // A sort as the last step is compiled as a final ORDER BY on its keys instead of a renumbering.
  const order = query.orderBy ?? [];
  const inRowOrder = order.length === 1 && isRowId(order[0]!.expr) && !order[0]!.desc;
  const reads = new Set<string>();
  for (const c of q.columns) if (!carried(c)) references(c.expr, reads);
  references(q.where, reads);
  if (!inRowOrder) for (const o of order) references(o.expr, reads);
  let shape: StepShape = 'other';
  if (inRowOrder && isRowId(exprs[0]!) && exprs.every((e) => rowLocal(e))) {
    if (!q.where) shape = 'rowwise';
    else if (rowLocal(q.where)) shape = 'filter';
  } else if (!q.where && exprs.every((e) => rowLocal(e, true))) shape = 'counted';
  return { shape, reads, carries };
}

/** The shape of one step applied to `input` (columns as they are before it). */
export function stepShape(step: Step, input: Column[]): StepShape {
  return stepInfo(step, input).shape;
}

function infos(steps: Step[], input: Column[]): StepInfo[] {
  const schemas = compileRecipe({ version: 1, steps }, 'input', input).analysis.schemas;
  return steps.map((s, i) => stepInfo(s, schemas[i]!));
}

/** Shapes of each step of `steps`, applied to `input` one after the other. */
export function shapes(steps: Step[], input: Column[]): StepShape[] {
  return infos(steps, input).map((i) => i.shape);
}

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
}

export function pagePlan(steps: Step[], input: Column[]): PagePlan {
  const info = infos(steps, input);
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
  const plan = (headIdx: number[], tail: Step[]): PagePlan => {
    const head = headIdx.map((i) => info[i]!.shape);
    return {
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
 * A page of `table` (rowid = position) followed by row-wise `steps`: the rowid range is selected
 * first, so the steps compute only the page's rows.
 */
export function rangePageQuery(
  table: string,
  columns: Column[],
  steps: Step[],
  offset: number,
  limit: number,
): { query: Select; columns: Column[] } {
  const compiled = compileRecipe(recipeOf(steps), table, columns);
  const [source, ...rest] = compiled.query.with!;
  const rowid = col('rowid');
  const where = and(bin('>=', rowid, lit(offset)), bin('<', rowid, lit(offset + limit)));
  return {
    query: { ...compiled.query, with: [{ ...source!, query: { ...source!.query, where } }, ...rest] },
    columns: compiled.columns,
  };
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
