import type { Expr, Select } from '@tidyvault/sql';
import type { z } from 'zod';

export type ColumnType = 'text' | 'number' | 'integer' | 'date';

export interface Column {
  name: string;
  type: ColumnType;
}

/** Things only the engine can check (RE2 syntax, strptime formats), collected before running. */
export interface EngineCheck {
  kind: 'regex' | 'date-format';
  value: string;
  /** The step's field, as an error names it (`find`, `formats[1]`, `where`). */
  field: string;
  /** For a condition's pattern: the column it tests. */
  column?: string;
}

export interface AnalyzeContext {
  index: number;
  op: string;
  /** Throws a StepError naming the step and the column. */
  column(name: string, allowed?: readonly ColumnType[]): Column;
  /** Throws a StepError: RECIPE_COLUMN when a column is named, RECIPE_PARAM otherwise, unless `code` says. */
  fail(
    message: string,
    column?: string,
    code?: 'RECIPE_PARAM' | 'RECIPE_COLUMN' | 'RECIPE_TYPE' | 'RECIPE_UNSUPPORTED',
    /** The parameter at fault (`formats[0]`, `replace`), for clients that point at it. */
    field?: string,
  ): never;
}

export interface CompileContext {
  /** Name of the relation holding the previous step's output. */
  input: string;
  inputColumns: Column[];
  outputColumns: Column[];
  /** The row-order column every relation carries. */
  rowId: string;
  /** A fresh relation name for helper CTEs. */
  fresh(hint: string): string;
  /** The expression the previous step computed this column with, when it was a projection. */
  inputExpr(name: string): Expr | undefined;
  /** The relation the recipe starts from, and the steps before this one (they name its input). */
  source: string;
  stepsBefore: readonly unknown[];
  /**
   * Set when `input` holds only some of the rows (a page): the step's input over every row, for a
   * step that keeps its rows in place but reads a whole column (cluster-merge's value counts).
   */
  wholeInput?: Select;
}

/**
 * What a step compiles to: either one expression per output column over the input relation
 * (optionally filtered), or whole CTEs whose last one is the step's output (carrying rowId
 * and the output columns).
 */
export type StepSql =
  | { kind: 'project'; exprs: Expr[]; where?: Expr; rowId?: Expr }
  | { kind: 'ctes'; ctes: { name: string; query: Select }[] };

export interface StepDefinition<S extends { op: string }> {
  op: S['op'];
  schema: z.ZodType<S>;
  /** One line for the recipe panel / CLI. */
  describe(step: S): string;
  /** Validate against the input columns and return the output columns. */
  analyze(step: S, input: Column[], ctx: AnalyzeContext): Column[];
  compile(step: S, ctx: CompileContext): StepSql;
  engineChecks?(step: S): EngineCheck[];
  /**
   * Takes an optional `where` (a condition on the input row): only the rows it selects change,
   * the others pass through. Such a step must keep every column's name and type, and compile to
   * a projection without a WHERE of its own.
   */
  rowScoped?: boolean;
  /**
   * For a step whose SQL does not show it (a join): it keeps its input's rows one for one and
   * changes only these columns, so the other columns' values, and their profiles, stay as they are.
   */
  keepsRowsChanging?(step: S): string[];
  /**
   * Its first output rows depend only on its first input rows, in order (a dedupe keeps first
   * occurrences): a page near the top can be computed from the input's first rows.
   */
  firstRowsFromFirstRows?: boolean;
  /** True when the step stores values from the data (mass edits): exports say so. */
  carriesDataValues?: boolean;
  /**
   * Output columns whose values the step may refuse to make, depending on the data (a value
   * that would grow past the most a cell may hold): where a step is added, they are computed over
   * every row first, so that such a step is refused then rather than failing every read after.
   */
  mayRefuseValues?(step: S): string[];
}
