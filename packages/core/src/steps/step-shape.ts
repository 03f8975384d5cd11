import type { Expr, FunctionName } from '@tidyvault/sql';
import { ROW_ID } from '../compile/analyze.js';
import { compileRecipe } from '../compile/compile.js';
import { stepDefinition, type Step } from './registry.js';
import type { Column } from './types.js';

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
  'epoch_us',
  // The guard of steps that may refuse a value (replace, merge-columns): such a step is run over
  // every row when it is added, so a page of it computed alone cannot meet a refusal later.
  'error',
  'greatest',
  'isfinite',
  'json_extract_string',
  'json_keys',
  'json_transform',
  'json_type',
  'to_json',
  'least',
  'left',
  'length',
  'list_contains',
  'list_distinct',
  'list_filter',
  'list_sort',
  'list_transform',
  'lower',
  'ltrim',
  'make_timestamp',
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
export interface StepInfo {
  shape: StepShape;
  /** Columns whose values it uses (not only carries along); undefined: unknown, anything. */
  reads?: Set<string>;
  /** Columns it carries unchanged (same name, same value). */
  carries: Set<string>;
}

export function stepInfo(step: Step, input: Column[]): StepInfo {
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

export function stepInfos(steps: Step[], input: Column[]): StepInfo[] {
  const schemas = compileRecipe({ version: 1, steps }, 'input', input).analysis.schemas;
  return steps.map((s, i) => stepInfo(s, schemas[i]!));
}

/** Shapes of each step of `steps`, applied to `input` one after the other. */
export function shapes(steps: Step[], input: Column[]): StepShape[] {
  return stepInfos(steps, input).map((i) => i.shape);
}

/**
 * Do `steps` leave the rows in their input order (each changes values or drops rows only)? Then a
 * query of them over a table scanned in rowid order needs no final sort: DuckDB keeps the scan's
 * order (preserve_insertion_order), and sorting 1M rows by their position doubles a state's cost.
 */
export function keepsRowOrder(steps: Step[], input: Column[]): boolean {
  return shapes(steps, input).every((s) => s === 'rowwise' || s === 'filter');
}

/**
 * Does each of `steps` keep its input's rows one for one, at their positions? Row-wise steps do,
 * and so do steps that change values through a join (cluster-merge): rows offset… of the result
 * are then rows offset… of the input with the steps applied, whatever order the SQL yields them in.
 */
export function keepsRowsInPlace(steps: Step[], input: Column[]): boolean {
  const info = stepInfos(steps, input);
  return steps.every((step, i) => staysInPlace(step, info[i]!));
}

/** Does `step` (whose SQL gave `info`) keep its input's rows one for one, at their positions? */
export function staysInPlace(step: Step, info: StepInfo): boolean {
  return info.shape === 'rowwise' || stepDefinition(step.op)?.keepsRowsChanging !== undefined;
}

/**
 * Columns whose values, taken together, `steps` leave exactly as they are (same name, same type,
 * each value as often): their profile and value counts carry over from before the steps. Empty
 * as soon as a step may drop, add or repeat rows.
 */
export function unchangedColumns(steps: Step[], input: Column[]): Set<string> {
  const schemas = compileRecipe({ version: 1, steps }, 'input', input).analysis.schemas;
  let kept = new Set(input.map((c) => c.name));
  for (const [i, step] of steps.entries()) {
    const schema = schemas[i]!;
    const changing = stepDefinition(step.op)?.keepsRowsChanging?.(step);
    let carries: Set<string>;
    if (changing) carries = new Set(schema.map((c) => c.name).filter((n) => !changing.includes(n)));
    else {
      const info = stepInfo(step, schema);
      carries = info.shape === 'rowwise' || info.shape === 'counted' ? info.carries : new Set();
    }
    kept = new Set([...kept].filter((n) => carries.has(n)));
    if (kept.size === 0) break;
  }
  return kept;
}
