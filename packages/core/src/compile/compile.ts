import {
  and,
  bin,
  col,
  lit,
  select,
  tableReferences,
  type Cte,
  type Expr,
  type OrderItem,
  type Select,
} from '@tidyvault/sql';
import type { Recipe } from '../recipe/schema.js';
import { compileCondition } from '../steps/condition.js';
import { rowScopeOf, stepDefinition } from '../steps/registry.js';
import { sortKeyColumn } from '../steps/sort-rows.js';
import type { Column, StepSql } from '../steps/types.js';
import { analyzeRecipe, ROW_ID, type Analysis } from './analyze.js';

export interface CompileOptions {
  /** Apply only the first `upTo` steps (a preview of the data as it was). */
  upTo?: number;
  /** Keep the row-order column in the output. */
  keepRowId?: boolean;
  /** A column of `source` that already holds row order (default: DuckDB's `rowid`). */
  rowIdColumn?: string;
  offset?: number;
  limit?: number;
  /**
   * Only the rows at positions offset… (by the source's rowid, which must be dense), computed from
   * those rows alone; steps that read a whole column (cluster-merge) still read every row. The
   * caller has checked that this means something: every step keeps its rows in place
   * (keepsRowsInPlace), or only the first rows are wanted of steps whose first rows depend only on
   * the rows before them (prefixPageQuery).
   */
  rows?: { offset: number; limit: number };
}

export interface CompiledRecipe {
  query: Select;
  columns: Column[];
  analysis: Analysis;
}

/**
 * `source` is a table holding the input columns in file order; its DuckDB `rowid` becomes the
 * row-order column. Each step becomes one or more CTEs; the final SELECT restores row order.
 */
export function compileRecipe(
  recipe: Recipe,
  source: string,
  input: Column[],
  options: CompileOptions = {},
): CompiledRecipe {
  const steps = recipe.steps.slice(0, options.upTo ?? recipe.steps.length);
  const analysis = analyzeRecipe({ version: 1, steps }, input);
  const ctes: Cte[] = [];
  let counter = 0;
  const fresh = (hint: string) => `s${++counter}_${hint}`;
  const first = 's0_source';
  const { rows } = options;
  if (rows && options.rowIdColumn !== undefined)
    throw new Error('internal: a range of rows needs a source whose rowid is the position');
  ctes.push({
    name: first,
    query: {
      kind: 'select',
      columns: [
        { expr: col(options.rowIdColumn ?? 'rowid'), as: ROW_ID },
        ...input.map((c) => ({ expr: col(c.name) })),
      ],
      from: { kind: 'table', name: source },
      ...(rows
        ? {
            where: and(
              bin('>=', col('rowid'), lit(rows.offset)),
              bin('<', col('rowid'), lit(rows.offset + rows.limit)),
            ),
          }
        : {}),
    },
  });
  let relation = first;
  let produced = new Map<string, Expr>();
  steps.forEach((step, i) => {
    const def = stepDefinition(step.op)!;
    const outputColumns = analysis.schemas[i + 1]!;
    const inputColumns = analysis.schemas[i]!;
    const scope = rowScopeOf(step);
    const unscoped = def.compile(step, {
      input: relation,
      inputColumns,
      outputColumns,
      rowId: ROW_ID,
      fresh,
      inputExpr: (name) => produced.get(name),
      source,
      stepsBefore: steps.slice(0, i),
      ...(rows && def.keepsRowsChanging ? { wholeInput: wholeInput(steps.slice(0, i), source, input) } : {}),
    });
    const compiled = scope
      ? limitToRows(
          unscoped,
          compileCondition(scope, new Map(inputColumns.map((c) => [c.name, c.type]))),
          outputColumns,
          step.op,
        )
      : unscoped;
    if (compiled.kind === 'ctes') {
      produced = new Map();
      ctes.push(...compiled.ctes);
      relation = compiled.ctes[compiled.ctes.length - 1]!.name;
      return;
    }
    const name = fresh(step.op.replaceAll('-', '_'));
    ctes.push({
      name,
      query: {
        kind: 'select',
        columns: [
          { expr: compiled.rowId ?? col(ROW_ID), as: ROW_ID },
          ...compiled.exprs.map((expr, j) => ({ expr, as: outputColumns[j]!.name })),
        ],
        from: { kind: 'table', name: relation },
        ...(compiled.where ? { where: compiled.where } : {}),
      },
    });
    produced = new Map(compiled.exprs.map((e, j) => [outputColumns[j]!.name, e]));
    relation = name;
  });
  // DuckDB inlines a CTE into every reader; one read twice (a join with its own counts, a
  // subquery) would run all earlier steps twice, so such CTEs are computed once.
  const refs = tableReferences({
    kind: 'select',
    with: ctes,
    columns: [],
    from: { kind: 'table', name: relation },
  });
  const names = new Set(ctes.map((c) => c.name));
  for (const cte of ctes)
    if ((refs.get(cte.name) ?? 0) > 1 && !readsTableColumns(cte.query, names)) cte.materialized = true;
  const columns = analysis.schemas[steps.length]!;
  const orderBy = finalOrder(ctes, steps.length > 0);
  const query: Select = {
    kind: 'select',
    with: ctes,
    columns: [...(options.keepRowId ? [ROW_ID] : []), ...columns.map((c) => c.name)].map((n) => ({
      expr: col(n),
    })),
    from: { kind: 'table', name: relation },
    orderBy,
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.offset !== undefined ? { offset: options.offset } : {}),
  };
  return { query, columns, analysis };
}

/**
 * Only a table's columns, every row (the source's CTE): reading the table again costs less than
 * a copy of it.
 */
function readsTableColumns(q: Select, ctes: Set<string>): boolean {
  return (
    q.from?.kind === 'table' &&
    !ctes.has(q.from.name) &&
    q.columns.every((c) => c.expr.kind === 'column') &&
    q.star === undefined &&
    q.with === undefined &&
    q.where === undefined &&
    q.groupBy === undefined &&
    q.having === undefined &&
    q.qualify === undefined &&
    q.distinct !== true &&
    q.limit === undefined &&
    q.offset === undefined
  );
}

/** The result of `steps` over every row of `source`, in no particular order, with its row ids. */
function wholeInput(steps: Recipe['steps'], source: string, input: Column[]): Select {
  const { query } = compileRecipe({ version: 1, steps }, source, input, { keepRowId: true });
  return { ...query, orderBy: [] };
}

/** A row-scoped step's projection, changing a column only in the rows `cond` selects. */
function limitToRows(compiled: StepSql, cond: Expr, outputColumns: Column[], op: string): StepSql {
  if (compiled.kind !== 'project' || compiled.where || compiled.rowId) {
    throw new Error(`internal: ${op} is row-scoped but does not compile to a plain projection`);
  }
  return {
    kind: 'project',
    exprs: compiled.exprs.map((e, j) => {
      const name = outputColumns[j]!.name;
      if (e.kind === 'column' && e.name === name) return e;
      return { kind: 'case', whens: [{ when: cond, then: e }], else: col(name) };
    }),
  };
}

export function recipeSql(
  recipe: Recipe,
  source: string,
  input: Column[],
  options: CompileOptions = {},
): string {
  return select(compileRecipe(recipe, source, input, options).query);
}

/**
 * Rows come out in ROW_ID order. When the last step only renumbers rows with
 * row_number() OVER (ORDER BY keys…) over columns it passes through unchanged, sorting by those
 * keys at the end gives the same order without computing the window.
 */
function finalOrder(ctes: Cte[], hasSteps: boolean): OrderItem[] {
  const byRow: OrderItem[] = [{ expr: col(ROW_ID) }];
  const last = ctes[ctes.length - 1];
  const rid = last?.query.columns[0];
  if (!hasSteps || !last || rid?.as !== ROW_ID || rid.expr.kind !== 'call' || rid.expr.fn !== 'row_number')
    return byRow;
  const over = rid.expr.over;
  if (
    !over?.orderBy?.length ||
    over.partitionBy?.length ||
    last.query.where ||
    last.query.from?.kind !== 'table'
  )
    return byRow;
  const passedThrough = new Set(
    last.query.columns.filter((c) => c.expr.kind === 'column' && c.expr.name === c.as).map((c) => c.as),
  );
  const keysOk = over.orderBy.every((o) => {
    const name = sortKeyColumn(o.expr);
    return name !== undefined && (name === ROW_ID || passedThrough.has(name));
  });
  if (!keysOk) return byRow;
  last.query.columns[0] = { expr: col(ROW_ID), as: ROW_ID };
  return over.orderBy;
}
