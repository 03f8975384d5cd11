import type { Expr } from '@tidyvault/sql';

/**
 * Reading a million values from DuckDB one by one is slow; read as one string they cost one
 * value. The separator is U+001F; a value that contains it makes the split come out wrong, and
 * the caller then asks for the JSON form instead.
 */
export const PACK_SEP = '\x1F';

/** A DuckDB list expression as one string: joined by PACK_SEP, or with `json` a JSON array. */
export function packedList(list: Expr, json: boolean): Expr {
  return json
    ? { kind: 'cast', to: 'VARCHAR', expr: { kind: 'call', fn: 'to_json', args: [list] } }
    : { kind: 'call', fn: 'array_to_string', args: [list, packSeparator] };
}

/** PACK_SEP in SQL. */
export const packSeparator: Expr = { kind: 'call', fn: 'chr', args: [{ kind: 'literal', value: 31 }] };
