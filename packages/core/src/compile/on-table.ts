import type { Expr, Select } from '@tidyvault/sql';
import type { LoadedDataset } from '../engine/engine.js';
import type { Recipe } from '../recipe/schema.js';
import { keepsRowOrder, keepsRowsInPlace } from '../steps/step-shape.js';
import { ROW_ID } from './analyze.js';
import { compileRecipe, type CompiledRecipe, type CompileOptions } from './compile.js';

export interface OnTableOptions extends CompileOptions {
  /**
   * The query fills a table (CREATE TABLE … AS): when the dataset is scanned in rowid order and
   * every step keeps the row order, leave out the final sort. DuckDB's CREATE TABLE AS keeps a
   * scan's order (preserve_insertion_order), and sorting a million rows by their position doubles
   * the cost. Not for COPY … TO: with several threads DuckDB 1.5 writes row groups out of order.
   */
  intoTable?: boolean;
}

/** The recipe over a loaded dataset, as an engine runs it. */
export function compileOnTable(
  dataset: LoadedDataset,
  recipe: Recipe,
  { intoTable = false, ...o }: OnTableOptions = {},
): CompiledRecipe {
  const steps = recipe.steps.slice(0, o.upTo ?? recipe.steps.length);
  if (
    o.limit !== undefined &&
    dataset.rowIdColumn === undefined &&
    steps.length > 0 &&
    keepsRowsInPlace(steps, dataset.columns)
  ) {
    // A page of steps that keep rows in place: computed from the page's rows, not every row sorted.
    const { offset = 0, limit, ...rest } = o;
    return compileRecipe(recipe, dataset.table, dataset.columns, { ...rest, rows: { offset, limit } });
  }
  const compiled = compileRecipe(recipe, dataset.table, dataset.columns, {
    ...o,
    ...(dataset.rowIdColumn === undefined ? {} : { rowIdColumn: dataset.rowIdColumn }),
  });
  if (!intoTable || dataset.rowIdColumn !== undefined || !keepsRowOrder(steps, dataset.columns))
    return compiled;
  return { ...compiled, query: { ...compiled.query, orderBy: [] } };
}

const isRowId = (e: Expr): boolean => e.kind === 'column' && e.name === ROW_ID && e.table === undefined;

/**
 * A query compiled with `keepRowId`, ready to fill a table whose rows keep their order in its row
 * id column (`rowIdColumn: ROW_ID`) instead of being sorted into place: when the row id alone gives
 * the order, the final sort is left out. When a sort-rows step's keys give it (the row id is then
 * the row's place before the sort), the sort stays and the row id column goes, so the table's own
 * rowid is the position. `byPosition` says which.
 */
export function forTableInRowIdOrder(query: Select): { query: Select; byPosition: boolean } {
  const [first, ...rest] = query.orderBy ?? [];
  const byPosition = first !== undefined && rest.length === 0 && isRowId(first.expr) && first.desc !== true;
  return byPosition
    ? { query: { ...query, orderBy: [] }, byPosition }
    : { query: { ...query, columns: query.columns.filter((c) => !isRowId(c.expr)) }, byPosition };
}
