import { bin, call, caseWhen, cast, col, lit, not, type Expr, type Select } from '@tidyvault/sql';
import type { Column } from '../steps/types.js';

/*
 * The formula guard of every export (engine-node's export/formula-guard.ts, shared here with
 * engine-wasm): a text cell or header name that a spreadsheet would evaluate gets a leading
 * apostrophe in CSV, TSV and XLSX; numbers and dates never change.
 */

/** The formats both engines write (and read). */
export type ExportFormat = 'csv' | 'tsv' | 'json' | 'ndjson' | 'parquet' | 'xlsx';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'xlsx'];

/**
 * First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection, plus
 * CR and NUL: a reader that stops a string at NUL may see the character after it first).
 */
export const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r', '\0'];

/** Spreadsheet programs evaluate these; JSON and Parquet consumers do not. */
export const guardsFormulas = (f: ExportFormat): boolean => f === 'csv' || f === 'tsv' || f === 'xlsx';

/** FORMULA_STARTS as an RE2 class anchored at the start. */
const FORMULA_START = '^[=+\\-@\\t\\r\\x00]';
/**
 * A plain number, signed ("-3", "+1.5", "-2e3"): a spreadsheet reads it as that number, never a
 * formula, so it is left as it is (a text column of negative numbers stays readable).
 */
const PLAIN_NUMBER = '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?';
const PLAIN_NUMBER_JS = new RegExp(`^${PLAIN_NUMBER}$`);

/**
 * A text cell starting with a formula character gets a leading apostrophe, unless it is a plain
 * number; other types never change. A regex, not `left(v, 1) IN (…)`: DuckDB plans a CASE over an IN list in time that grows
 * with the cube of the columns (200 columns: 13 s for one row; 500 ran out of memory), and runs it
 * four times slower.
 */
export function guardedColumn(c: Column): Expr {
  if (c.type !== 'text') return col(c.name);
  return caseWhen(
    [
      [
        bin(
          'AND',
          call('regexp_matches', col(c.name), lit(FORMULA_START)),
          not(call('regexp_full_match', col(c.name), lit(PLAIN_NUMBER))),
        ),
        bin('||', lit("'"), col(c.name)),
      ],
    ],
    col(c.name),
  );
}

export function guardText(value: string): string {
  return FORMULA_STARTS.includes(value.charAt(0)) && !PLAIN_NUMBER_JS.test(value) ? "'" + value : value;
}

/**
 * The recipe's final SELECT with guarded text columns and header names (its FROM and ORDER BY
 * untouched). `delimited`: the output is CSV or TSV, where a file of one column writes NULL as
 * `""`, since its empty unquoted field would be a blank line, which readers skip (the row lost).
 */
export function exportQuery(
  query: Select,
  columns: readonly Column[],
  guard: boolean,
  delimited = false,
): Select {
  const oneColumn = delimited && columns.length === 1;
  const names = exportColumns(columns, guard);
  return {
    ...query,
    ...(query.orderBy
      ? { orderBy: query.orderBy.map((o) => ({ ...o, expr: inputColumn(o.expr, query.from) })) }
      : {}),
    columns: columns.map((c, i) => {
      const value = guard ? guardedColumn(c) : col(c.name);
      return {
        expr: oneColumn ? call('coalesce', cast(value, 'VARCHAR'), lit('')) : value,
        as: names[i]!.name,
      };
    }),
  };
}

/**
 * An ORDER BY column named after the table it is read from. Unqualified, DuckDB takes an output
 * column of that name first: the guarded (`'=z`) or cast-to-text value, which sorts otherwise.
 */
function inputColumn(e: Expr, from: Select['from']): Expr {
  if (e.kind !== 'column' || e.table !== undefined || from === undefined) return e;
  const table =
    from.kind === 'table' ? (from.alias ?? from.name) : from.kind === 'join' ? undefined : from.alias;
  return table === undefined ? e : col(e.name, table);
}

/**
 * The columns as the export names them: header names guarded too, and a guarded name that meets
 * another column's (`=a` beside `'=a`, compared ignoring case as DuckDB does) numbered `_1`, `_2`…
 * as DuckDB would rename it, so every name is known before the writer runs.
 */
export function exportColumns(columns: readonly Column[], guard: boolean): Column[] {
  if (!guard) return [...columns];
  const taken = new Set<string>();
  return columns.map((c) => {
    const base = guardText(c.name);
    let name = base;
    for (let n = 1; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
    taken.add(name.toLowerCase());
    return { ...c, name };
  });
}

const DELIMITED_COPY_OPTIONS = {
  csv: { FORMAT: 'csv', HEADER: true, DELIMITER: ',', QUOTE: '"', ESCAPE: '"' },
  tsv: { FORMAT: 'csv', HEADER: true, DELIMITER: '\t', QUOTE: '"', ESCAPE: '"' },
} as const;

/** A list separator a spreadsheet may split lines on (DuckDB itself quotes the delimiter, quotes and line breaks). */
const SEPARATOR = /[,;\t]/;

/**
 * DuckDB's COPY options for a delimited export of `columns` (both engines write with these).
 * With the guard, every text value is quoted: a spreadsheet that splits lines on another
 * separator (Excel in a locale whose list separator is ";") could otherwise make `x;=1+1` two
 * cells, the second a formula. Quoted, it stays one cell. NULLs stay empty, numbers and dates bare,
 * except in a column whose name holds a separator: DuckDB quotes a header only with its column.
 */
export function delimitedCopyOptions(
  format: 'csv' | 'tsv',
  columns: readonly Column[],
  guard: boolean,
): Record<string, string | boolean | string[]> {
  const text = guard
    ? exportColumns(columns, true).filter((c) => c.type === 'text' || SEPARATOR.test(c.name))
    : [];
  // DuckDB reads a list of just "*" as every column (numbers too): named twice, it is that column.
  const names = text.length === 1 && text[0]!.name === '*' ? ['*', '*'] : text.map((c) => c.name);
  return { ...DELIMITED_COPY_OPTIONS[format], ...(names.length > 0 ? { FORCE_QUOTE: names } : {}) };
}
