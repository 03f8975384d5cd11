import { columnsAre, StepError } from '../errors.js';
import type { Recipe } from '../recipe/schema.js';
import { checkCondition, conditionChecks } from '../steps/condition.js';
import { rowScopeOf, stepDefinition, type Step } from '../steps/registry.js';
import type { AnalyzeContext, Column, ColumnType, EngineCheck } from '../steps/types.js';

export const ROW_ID = '__tidyvault_row__';

/**
 * Names no column may have, compared ignoring case: DuckDB's own row number (a column named
 * `rowid` hides it, and row order is read from it) and Tidyvault's row-order column. Files are
 * read with such a column renamed (`rowid_2`: see repairHeaderNames).
 */
export const RESERVED_COLUMN_NAMES: readonly string[] = ['rowid', ROW_ID];

export const isReservedColumnName = (name: string): boolean =>
  RESERVED_COLUMN_NAMES.includes(name.toLowerCase());

const reservedWhy = (name: string) =>
  `the column name "${name}" is reserved (${name.toLowerCase() === 'rowid' ? "DuckDB's row number" : "Tidyvault's row order"}; names are compared ignoring case)`;

export interface Analysis {
  /** Columns before step i (index 0 = the input) and after the last step (index steps.length). */
  schemas: Column[][];
  engineChecks: { stepIndex: number; op: string; check: EngineCheck }[];
  carriesDataValues: boolean;
}

function context(
  index: number,
  op: string,
  input: Column[],
  renamedFrom: Map<string, string>,
  onUnknownColumn?: (name: string) => void,
): AnalyzeContext {
  const fail = (
    message: string,
    column?: string,
    code?: Parameters<AnalyzeContext['fail']>[2],
    field?: string,
  ): never => {
    throw new StepError(
      code ?? (column === undefined ? 'RECIPE_PARAM' : 'RECIPE_COLUMN'),
      index,
      op,
      message,
      column,
      field,
    );
  };
  return {
    index,
    op,
    fail,
    column(name: string, allowed?: readonly ColumnType[]) {
      const found = input.find((c) => c.name === name);
      if (!found) {
        const hint = renamedFrom.get(name);
        if (!hint) onUnknownColumn?.(name);
        const suffix = hint ? ` (${hint})` : `; ${columnsAre(input)}`;
        throw new StepError('RECIPE_COLUMN', index, op, `column "${name}" does not exist${suffix}`, name);
      }
      if (allowed && !allowed.includes(found.type)) {
        throw new StepError(
          'RECIPE_TYPE',
          index,
          op,
          `column "${name}" is ${found.type}; ${op} needs ${allowed.join(' or ')}`,
          name,
        );
      }
      return found;
    },
  };
}

/** Check the whole recipe against the input's columns before anything runs. */
export function analyzeRecipe(
  recipe: Recipe,
  input: Column[],
  options: { onUnknownColumn?: (name: string) => void } = {},
): Analysis {
  const reservedInput = input.find((c) => isReservedColumnName(c.name));
  if (reservedInput)
    throw new StepError('RECIPE_COLUMN', -1, 'import', reservedWhy(reservedInput.name), reservedInput.name);
  const schemas: Column[][] = [input];
  const engineChecks: Analysis['engineChecks'] = [];
  const gone = new Map<string, string>();
  let carriesDataValues = false;
  let current = input;
  recipe.steps.forEach((step: Step, index) => {
    const def = stepDefinition(step.op)!;
    const ctx = context(index, step.op, current, gone, options.onUnknownColumn);
    const output = def.analyze(step, current, ctx);
    const scope = rowScopeOf(step);
    if (scope) {
      checkCondition(scope, current, ctx);
      for (const check of conditionChecks(scope)) engineChecks.push({ stepIndex: index, op: step.op, check });
      const same =
        output.length === current.length &&
        output.every((c, i) => c.name === current[i]!.name && c.type === current[i]!.type);
      if (!same) ctx.fail("a step limited to some rows (where) must keep every column's name and type");
    }
    const names = new Set(output.map((c) => c.name));
    if (names.size !== output.length)
      throw new StepError('RECIPE_COLUMN', index, step.op, 'duplicate column names');
    // DuckDB matches names ignoring case: "City" next to "city" would read or overwrite the other.
    const folded = new Map<string, string>();
    for (const c of output) {
      const other = folded.get(c.name.toLowerCase());
      if (other !== undefined)
        throw new StepError(
          'RECIPE_COLUMN',
          index,
          step.op,
          `columns "${other}" and "${c.name}" would differ only in case, and column names are compared ignoring case`,
          c.name,
        );
      folded.set(c.name.toLowerCase(), c.name);
      if (isReservedColumnName(c.name))
        throw new StepError('RECIPE_COLUMN', index, step.op, reservedWhy(c.name), c.name);
    }
    for (const c of current) {
      if (!names.has(c.name)) gone.set(c.name, `removed or renamed by step ${index + 1} (${step.op})`);
    }
    for (const n of names) gone.delete(n);
    for (const check of def.engineChecks?.(step) ?? [])
      engineChecks.push({ stepIndex: index, op: step.op, check });
    carriesDataValues ||= def.carriesDataValues === true;
    schemas.push(output);
    current = output;
  });
  return { schemas, engineChecks, carriesDataValues };
}

/**
 * The input columns a recipe needs when no input is at hand: every column a step uses before
 * any step creates it, taken as text, in order of first use.
 */
export function inferInputColumns(recipe: Recipe): Column[] {
  const input: Column[] = [];
  for (;;) {
    let missing: string | undefined;
    try {
      analyzeRecipe(recipe, input, {
        onUnknownColumn: (name) => {
          missing ??= name;
        },
      });
      return input;
    } catch (e) {
      if (missing === undefined || input.some((c) => c.name === missing)) throw e;
      input.push({ name: missing, type: 'text' });
    }
  }
}
