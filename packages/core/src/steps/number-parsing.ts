import { call, caseWhen, list, lit, tryCast, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import { requiredColumns, trimWs } from './common.js';

export const NUMBER_PATTERN = '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?';
export const INTEGER_PATTERN = '[+-]?[0-9]+';
/** Plain digits, optionally with a zero fraction: the integers to-integer accepts exactly. */
const WHOLE_PATTERN = '^([+-]?[0-9]+)(?:[.]0*)?$';

// One character (a code point, as JSON Schema's lengths count): the published schema says so too.
const oneChar = z
  .string()
  .refine((s) => [...s].length === 1, 'must be exactly one character')
  .meta({ minLength: 1, maxLength: 1 });

export const numberParams = {
  columns: requiredColumns,
  decimal: oneChar.optional(),
  thousands: z.union([oneChar, z.literal('')]).optional(),
  strip: z.string().max(100).optional(),
  nullValues: z.array(z.string().max(1000)).max(1000).optional(),
};

export interface NumberOptions {
  decimal?: string | undefined;
  thousands?: string | undefined;
  strip?: string | undefined;
  nullValues?: string[] | undefined;
}

export function checkSeparators(o: NumberOptions, fail: (m: string) => never): void {
  const decimal = o.decimal ?? '.';
  const thousands = o.thousands ?? ',';
  if (decimal === thousands) fail(`decimal and thousands separators must differ (both "${decimal}")`);
  if (o.strip?.includes(decimal)) fail(`strip must not contain the decimal separator "${decimal}"`);
}

function normaliseInJs(value: string, o: NumberOptions): string {
  let t = value.trim();
  for (const ch of o.strip ?? '') t = t.replaceAll(ch, '');
  const thousands = o.thousands ?? ',';
  if (thousands !== '') t = t.replaceAll(thousands, '');
  const decimal = o.decimal ?? '.';
  if (decimal !== '.') t = t.replaceAll(decimal, '.');
  return t;
}

/** The cleaned text of a number: trimmed, strip characters and thousands removed, decimal as '.'. */
export function normalisedNumberText(c: Expr, o: NumberOptions): Expr {
  let t = trimWs(c);
  if (o.strip) t = call('translate', t, lit(o.strip), lit(''));
  const thousands = o.thousands ?? ',';
  if (thousands !== '') t = call('replace', t, lit(thousands), lit(''));
  const decimal = o.decimal ?? '.';
  if (decimal !== '.') t = call('replace', t, lit(decimal), lit('.'));
  return t;
}

/**
 * NULL when the trimmed value is one of nullValues (case-insensitive), else `then`. A null value
 * that could never parse as a number needs no test (it becomes NULL anyway), which keeps the
 * column referenced once — DuckDB inlines earlier steps, so each extra reference re-runs them.
 */
export function unlessNullValue(c: Expr, o: NumberOptions, then: Expr, pattern = NUMBER_PATTERN): Expr {
  const numeric = new RegExp(`^${pattern}$`);
  const relevant = (o.nullValues ?? []).filter((v) => numeric.test(normaliseInJs(v, o)));
  if (relevant.length === 0) return then;
  const lowered = [...new Set((o.nullValues ?? []).map((v) => v.trim().toLowerCase()))].map((v) => lit(v));
  // list_contains, not IN: DuckDB plans a CASE over an IN list in time that grows steeply with the
  // columns (500 columns: 8 s for one row).
  return caseWhen([[call('list_contains', list(lowered), call('lower', trimWs(c))), lit(null)]], then);
}

/**
 * The whole text must be a number that fits a DOUBLE; anything else (including '', inf, nan,
 * 1_000, and 1e400, which a cast makes Infinity) is NULL.
 */
export function parseDouble(t: Expr): Expr {
  const x = tryCast(call('regexp_extract', t, lit(`^${NUMBER_PATTERN}$`)), 'DOUBLE');
  return caseWhen([[call('isfinite', x), x]]);
}

export function parseWhole(t: Expr): Expr {
  return tryCast(call('regexp_extract', t, lit(WHOLE_PATTERN), lit(1)), 'BIGINT');
}
export { WHOLE_PATTERN };
