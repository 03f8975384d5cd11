import { call, caseWhen, col, lit, type Expr } from '@tidyvault/sql';
import { stepLabel, TidyvaultError } from '../errors.js';
import { CSV_MAX_LINE_BYTES } from '../import/csv-reader-sizes.js';
import { z } from 'zod';
import type { AnalyzeContext, Column, ColumnType, CompileContext, StepSql } from './types.js';

/** The longest pattern (find text, regex, separator) a step takes. */
export const MAX_PATTERN_LENGTH = 1000;

export const columnName = z
  .string()
  .min(1, 'a column name cannot be empty')
  .max(1024)
  .refine((s) => !s.includes('\0'), 'a column name cannot contain NUL')
  .meta({ pattern: '^[^\\u0000]*$' });

/**
 * A name a step gives a column: also without whitespace at either end, which every importer
 * trims from a header (a file written with " b2 " would read back as "b2").
 */
export const newColumnName = z
  .string()
  .min(1, 'a column name cannot be empty')
  .max(1024)
  .refine((s) => !s.includes('\0'), 'a column name cannot contain NUL')
  .refine((s) => s === s.trim(), 'a column name cannot start or end with whitespace')
  .meta({ pattern: '^[^\\s\\u0000]([^\\u0000]*[^\\s\\u0000])?$' });

export const optionalColumns = z.array(columnName).min(1).optional();
export const requiredColumns = z.array(columnName).min(1);

/** Unicode White_Space, for DuckDB's trim(s, characters). */
export const WS_CHARS =
  '\t\n\u000b\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
/** The same set as an RE2 character-class body. */
export const WS_CLASS =
  '\\x{0009}-\\x{000D}\\x{0020}\\x{0085}\\x{00A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}';

const TRIM_PATTERN = `^[${WS_CLASS}]+|[${WS_CLASS}]+$`;
export const WS_RUN_PATTERN = `[${WS_CLASS}]+`;
/** Empty or whitespace only: blank, as the profile, blank-to-null and the blank facet count it. */
export const BLANK_PATTERN = `^[${WS_CLASS}]*$`;
/** Whitespace other than the plain space. */
const OTHER_WS_CLASS = WS_CLASS.replace('\\x{0020}', '');
/** What trimming would change: whitespace at either end. */
const NEEDS_TRIM = `^[${WS_CLASS}]|[${WS_CLASS}]$`;
/** What collapsing would change: a run of two, a whitespace other than a space, or a space at either end. */
const NEEDS_COLLAPSE = `[${WS_CLASS}]{2}|[${OTHER_WS_CLASS}]|^ | $`;

/**
 * Rewriting a string with regexp_replace costs several times more than matching it, and most
 * cells need no change, so a plain column is rewritten only when the match says it must be.
 */
function onlyWhen(e: Expr, needs: string, rewrite: Expr): Expr {
  if (e.kind !== 'column') return rewrite;
  return caseWhen([[call('regexp_matches', e, lit(needs)), rewrite]], e);
}

const trimRewrite = (e: Expr): Expr => call('regexp_replace', e, lit(TRIM_PATTERN), lit(''), lit('g'));
const collapseRewrite = (e: Expr): Expr =>
  call('trim', call('regexp_replace', e, lit(WS_RUN_PATTERN), lit(' '), lit('g')));

/** trim(s, characters) with the whole White_Space set is several times slower than this anchored RE2. */
export const trimWs = (e: Expr): Expr => onlyWhen(e, NEEDS_TRIM, trimRewrite(e));

/** Every run of whitespace → one space, then trimmed (after the replace, plain trim() suffices). */
export const collapseWs = (e: Expr): Expr => onlyWhen(e, NEEDS_COLLAPSE, collapseRewrite(e));

const isLiteral = (e: Expr | undefined, value: string) => e?.kind === 'literal' && e.value === value;

function isRewrite(e: Expr | undefined): boolean {
  if (e?.kind !== 'call') return false;
  if (e.fn === 'regexp_replace') return isLiteral(e.args[1], TRIM_PATTERN);
  if (e.fn === 'trim' && e.args.length === 1) {
    const inner = e.args[0];
    return (
      inner?.kind === 'call' && inner.fn === 'regexp_replace' && isLiteral(inner.args[1], WS_RUN_PATTERN)
    );
  }
  return false;
}

/** True when `e` is the output of trimWs or collapseWs: no leading or trailing whitespace. */
export function yieldsTrimmed(e: Expr | undefined): boolean {
  if (e?.kind === 'case' && e.whens.length === 1) {
    const [only] = e.whens;
    const test = only!.when;
    return (
      isRewrite(only!.then) &&
      test.kind === 'call' &&
      test.fn === 'regexp_matches' &&
      (isLiteral(test.args[1], NEEDS_TRIM) || isLiteral(test.args[1], NEEDS_COLLAPSE))
    );
  }
  return isRewrite(e);
}

/** RE2 syntax for a literal string. */
export function escapeRegex(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\0') out += '\\x00';
    else if (/[A-Za-z0-9_]/.test(ch) || ch.codePointAt(0)! > 127) out += ch;
    else out += '\\' + ch;
  }
  return out;
}

/** RE2 rewrite syntax for a literal replacement. */
export const escapeRewrite = (text: string): string => text.replaceAll('\\', '\\\\');

export const TEXT: readonly ColumnType[] = ['text'];
export const ANY: readonly ColumnType[] = ['text', 'number', 'integer', 'date'];

/** `columns` as given, or every text column when omitted; each checked for existence and type. */
export function targetColumns(
  names: string[] | undefined,
  input: Column[],
  ctx: AnalyzeContext,
  allowed: readonly ColumnType[] = TEXT,
): Column[] {
  if (names === undefined) return input.filter((c) => c.type === 'text');
  const seen = new Set<string>();
  return names.map((n) => {
    if (seen.has(n)) ctx.fail(`column "${n}" is listed twice`, n);
    seen.add(n);
    return ctx.column(n, allowed);
  });
}

/** Output columns equal to input columns, some with a new type. */
export function withTypes(input: Column[], changed: Iterable<string>, type: ColumnType): Column[] {
  const set = new Set(changed);
  return input.map((c) => (set.has(c.name) ? { name: c.name, type } : c));
}

/** A projection replacing the named columns by f(column) and passing the others through. */
export function mapColumns(
  ctx: CompileContext,
  names: Iterable<string>,
  f: (column: Expr, name: string) => Expr,
): StepSql {
  const set = new Set(names);
  return {
    kind: 'project',
    exprs: ctx.outputColumns.map((c) => (set.has(c.name) ? f(col(c.name), c.name) : col(c.name))),
  };
}

/** The columns a step targets, resolved again at compile time against its input. */
export function compileTargets(names: string[] | undefined, ctx: CompileContext): string[] {
  return names ?? ctx.inputColumns.filter((c) => c.type === 'text').map((c) => c.name);
}

/** Text as the person typed it, in quotes; only invisible characters are spelled out (\\n, \\t). */
export const shown = (text: string): string =>
  `"${text.replace(/[\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'))}"`;

export const listOf = (names: string[]): string => names.map((n) => `"${n}"`).join(', ');
export const describeColumns = (names: string[] | undefined): string =>
  names === undefined ? 'all text columns' : listOf(names);

/**
 * The longest value a step may make: what one CSV line may hold. Steps that grow values (a
 * replace of one character by 300, three times over; merges of merges) would otherwise build
 * gigabytes per cell, 2,048 rows at a time, before any memory limit noticed.
 */
export const MAX_MADE_VALUE_BYTES = CSV_MAX_LINE_BYTES;

/** Stops the query: a value of `column` would pass MAX_MADE_VALUE_BYTES. */
/** `stepIndex`: 0-based, as `ctx.stepsBefore.length`. */
export const valueTooLong = (op: string, column: string, stepIndex: number): Expr =>
  call(
    'error',
    lit(
      `${stepLabel(stepIndex, op)}, column ${JSON.stringify(column)}: a value would grow past ${MAX_MADE_VALUE_BYTES / 2 ** 20} MiB, the most a cell may hold`,
    ),
  );

/**
 * A DuckDB error (its first line, without its prefix) from running a recipe: EXECUTION, located at
 * the step and column when it is valueTooLong's.
 */
export function recipeExecutionError(message: string): TidyvaultError {
  const m = /^step (\d+) \(([a-z-]+)\), column ("(?:[^"\\]|\\.)*"): a value would grow past /.exec(message);
  return new TidyvaultError(
    'EXECUTION',
    `running the recipe failed: ${message}`,
    m ? { step: { index: Number(m[1]), op: m[2]! }, column: JSON.parse(m[3]!) as string } : {},
  );
}

/**
 * A column's value in a group's first row (by row id), NULL included. DuckDB-WASM 1.4's
 * arg_min_null returns 0.0 for -0.0, so a number's sign is taken beside it.
 */
export function firstInGroup(column: Column, rowId: Expr): Expr {
  const first = call('arg_min_null', col(column.name), rowId);
  if (column.type !== 'number') return first;
  const negative = call('arg_min_null', call('signbit', col(column.name)), rowId);
  return caseWhen([[negative, { kind: 'unary', op: '-', arg: call('abs', first) }]], first);
}
