import { call, caseWhen, inList, lit, tryCast, type Expr } from '@tidyvault/sql';
import { z } from 'zod';
import { requiredColumns, trimWs } from './common.js';

export const NUMBER_PATTERN = '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?';
export const INTEGER_PATTERN = '[+-]?[0-9]+';

const oneChar = z.string().refine((s) => [...s].length === 1, 'must be exactly one character');

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

/** NULL when the trimmed value is one of nullValues (case-insensitive), else `then`. */
export function unlessNullValue(c: Expr, o: NumberOptions, then: Expr): Expr {
  if (!o.nullValues?.length) return then;
  const lowered = [...new Set(o.nullValues.map((v) => v.trim().toLowerCase()))].map((v) => lit(v));
  return caseWhen([[inList(call('lower', trimWs(c)), lowered), lit(null)]], then);
}

export function parseDouble(t: Expr): Expr {
  return caseWhen([[call('regexp_full_match', t, lit(NUMBER_PATTERN)), tryCast(t, 'DOUBLE')]]);
}
