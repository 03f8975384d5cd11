/** Where a problem is: the more of these a message names, the faster a user fixes it. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  row?: number;
  column?: string;
  step?: { index: number; op: string };
  field?: string;
}

export type ErrorCode =
  | 'RECIPE_INVALID'
  | 'RECIPE_COLUMN'
  | 'RECIPE_TYPE'
  | 'RECIPE_PARAM'
  | 'RECIPE_UNSUPPORTED'
  | 'IMPORT_EMPTY'
  | 'IMPORT_BINARY'
  | 'IMPORT_ENCODING'
  | 'IMPORT_FORMAT'
  | 'IMPORT_RAGGED'
  | 'IMPORT_LIMIT'
  | 'EXPORT'
  | 'EXECUTION'
  | 'OUT_OF_MEMORY'
  | 'USAGE'
  /** The caller stopped the work (an AbortSignal fired: Ctrl+C, a client that went away). */
  | 'CANCELLED';

/** An error meant for the user: its message is complete and safe to show (never cell values in logs). */
export class TidyvaultError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;
  constructor(code: ErrorCode, message: string, location: ErrorLocation = {}) {
    super(message);
    this.name = 'TidyvaultError';
    this.code = code;
    this.location = location;
  }
}

export function stepLabel(index: number, op: string): string {
  return `step ${index + 1} (${op})`;
}

export class StepError extends TidyvaultError {
  constructor(code: ErrorCode, index: number, op: string, message: string, column?: string, field?: string) {
    super(code, `${stepLabel(index, op)}: ${message}`, {
      step: { index: index + 1, op },
      ...(column === undefined ? {} : { column }),
      ...(field === undefined ? {} : { field }),
    });
    this.name = 'StepError';
  }
}

/** A pattern or date format DuckDB refused (`reason`, its first line), naming the step, field and column. */
export function engineCheckError(
  stepIndex: number,
  op: string,
  check: { kind: 'regex' | 'date-format'; value: string; field: string; column?: string },
  reason: string,
): StepError {
  const what = check.kind === 'regex' ? 'not a valid RE2 regular expression' : 'not a valid date format';
  const where = check.column === undefined ? check.field : `${check.field} (${check.column})`;
  return new StepError(
    'RECIPE_PARAM',
    stepIndex,
    op,
    `${where} ${JSON.stringify(check.value)} is ${what}: ${reason}`,
    check.column,
    check.field,
  );
}

export const isTidyvaultError = (e: unknown): e is TidyvaultError => e instanceof TidyvaultError;

/** Work for a recipe that is no longer the dataset's (an undo, a replace) stopped: the same words in both modes. */
export const recipeChangedError = (): TidyvaultError =>
  new TidyvaultError('CANCELLED', 'the recipe changed while this was being computed');

/**
 * An error from running the steps after the first `offset` of a recipe (on a table made of those
 * first steps), its step numbered as in the whole recipe, as the user counts them.
 */
export function countingStepsFrom(offset: number, e: unknown): unknown {
  const step = isTidyvaultError(e) ? e.location.step : undefined;
  if (offset === 0 || !step) return e;
  const label = stepLabel(step.index - 1, step.op);
  const message = (e as TidyvaultError).message.replace(label, stepLabel(step.index - 1 + offset, step.op));
  return new TidyvaultError((e as TidyvaultError).code, message, {
    ...(e as TidyvaultError).location,
    step: { index: step.index + offset, op: step.op },
  });
}

/**
 * Whether a DuckDB error message says the engine ran out of memory (not a problem with the data),
 * also once its "Out of Memory Error:" prefix has been cut off.
 */
export const isOutOfMemory = (message: string): boolean =>
  /out of memory|memory limit|(could not|failed to) allocate (block|data|memory) of size/i.test(message);

/** "columns are: "a", "b", …" for a message, at most 20 named (a wide file's list would run on). */
export function columnsAre(columns: readonly { name: string }[]): string {
  const listed = columns.slice(0, 20).map((c) => `"${c.name}"`);
  if (columns.length > 20) listed.push(`and ${columns.length - 20} more`);
  return `columns are: ${listed.join(', ')}`;
}
