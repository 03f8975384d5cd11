import { col, select, tableReferences, type Cte, type Select } from '@tidyvault/sql';
import type { Recipe } from '../recipe/schema.js';
import { stepDefinition } from '../steps/registry.js';
import type { Column } from '../steps/types.js';
import { analyzeRecipe, ROW_ID, type Analysis } from './analyze.js';

export interface CompileOptions {
  /** Apply only the first `upTo` steps (a preview of the data as it was). */
  upTo?: number;
  /** Keep the row-order column in the output. */
  keepRowId?: boolean;
  offset?: number;
  limit?: number;
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
  ctes.push({
    name: first,
    query: {
      kind: 'select',
      columns: [{ expr: col('rowid'), as: ROW_ID }, ...input.map((c) => ({ expr: col(c.name) }))],
      from: { kind: 'table', name: source },
    },
  });
  let relation = first;
  steps.forEach((step, i) => {
    const def = stepDefinition(step.op)!;
    const outputColumns = analysis.schemas[i + 1]!;
    const compiled = def.compile(step, {
      input: relation,
      inputColumns: analysis.schemas[i]!,
      outputColumns,
      rowId: ROW_ID,
      fresh,
    });
    if (compiled.kind === 'ctes') {
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
    relation = name;
  });
  // DuckDB inlines a CTE into every reader; one read twice (a join with its own counts, a
  // subquery) would run all earlier steps twice, so such CTEs are computed once.
  const refs = tableReferences({ kind: 'select', with: ctes, columns: [], from: { kind: 'table', name: relation } });
  for (const cte of ctes) if ((refs.get(cte.name) ?? 0) > 1) cte.materialized = true;
  const columns = analysis.schemas[steps.length]!;
  const query: Select = {
    kind: 'select',
    with: ctes,
    columns: [...(options.keepRowId ? [ROW_ID] : []), ...columns.map((c) => c.name)].map((n) => ({ expr: col(n) })),
    from: { kind: 'table', name: relation },
    orderBy: [{ expr: col(ROW_ID) }],
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.offset !== undefined ? { offset: options.offset } : {}),
  };
  return { query, columns, analysis };
}

export function recipeSql(recipe: Recipe, source: string, input: Column[], options: CompileOptions = {}): string {
  return select(compileRecipe(recipe, source, input, options).query);
}
