import type { Cell } from '../engine/engine.js';
import type { ColumnType } from '../steps/types.js';

/*
 * JSON text as DuckDB's JSON writer (yyjson) spells it, so that JSON and NDJSON written in
 * JavaScript (engine-wasm: DuckDB-WASM has no json extension) are byte for byte engine-node's
 * `COPY … (FORMAT json)`.
 */

// eslint-disable-next-line no-control-regex
const ESCAPED = /["\\\u0000-\u001f]/g;
const SHORT: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A JSON string: quote, backslash and control characters escaped (others as \u00XX, upper-case hex), nothing else. */
export function jsonString(s: string): string {
  return (
    '"' +
    s.replace(
      ESCAPED,
      (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
    ) +
    '"'
  );
}

/**
 * A DOUBLE as yyjson writes it: the shortest digits that read back exactly (as JavaScript's),
 * with `.0` on a whole number written without exponent, `e21` rather than `e+21`, `-0.0` for
 * negative zero; NaN and infinities, which JSON cannot hold, as null.
 */
export function jsonDouble(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  if (Object.is(n, -0)) return '-0.0';
  const s = String(n).replace('e+', 'e');
  return /[.e]/.test(s) ? s : s + '.0';
}

/** One cell of a column of `type` (as engine cells hold it: integers beyond 2^53 as digits, dates as text). */
export function jsonCell(type: ColumnType, v: Cell): string {
  if (v === null) return 'null';
  switch (type) {
    case 'number':
      return typeof v === 'number' ? jsonDouble(v) : jsonString(v);
    case 'integer':
      return typeof v === 'number' ? String(v) : /^-?\d+$/.test(v) ? v : jsonString(v);
    default:
      return jsonString(String(v));
  }
}

/** `{"name":value,…}` for one row, keys escaped once by the caller (see `jsonKeys`). */
export function jsonObject(
  keys: readonly string[],
  types: readonly ColumnType[],
  row: readonly Cell[],
): string {
  let s = '{';
  for (let i = 0; i < keys.length; i++)
    s += (i ? ',' : '') + keys[i] + ':' + jsonCell(types[i]!, row[i] ?? null);
  return s + '}';
}

export const jsonKeys = (names: readonly string[]): string[] => names.map(jsonString);

/** The text around rows: a JSON array (`[`, each row on its own line after a tab, `]`; DuckDB writes an empty array with one empty row line) or one object per line. */
export const JSON_LAYOUT = {
  json: { start: '[\n', before: '\t', between: ',\n', end: '\n]\n', empty: '[\n\t\n]\n' },
  ndjson: { start: '', before: '', between: '\n', end: '\n', empty: '' },
} as const;
