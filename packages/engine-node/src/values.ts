import type { DuckDBValue } from '@duckdb/node-api';
import { DuckDBDateValue, DuckDBTimestampValue } from './duckdb.js';
import { formatDate, type Cell, type ColumnType } from '@tidyvault/core';

/** DuckDB value → JSON-safe cell. BIGINTs beyond 2^53 become strings, never lose digits silently. */
export function toCell(v: DuckDBValue): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint')
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // node-api's own DATE text prints year 0 (1 BC) as 0000-…, where DuckDB says 0001-… (BC).
  if (v instanceof DuckDBDateValue) return formatDate(v.days);
  if (v instanceof DuckDBTimestampValue) return v.toString();
  return String(v);
}

/** Our column types from DuckDB type names. */
export function columnTypeOf(duckdbType: string): ColumnType {
  if (duckdbType === 'DOUBLE' || duckdbType === 'FLOAT' || duckdbType.startsWith('DECIMAL')) return 'number';
  if (duckdbType === 'BIGINT' || duckdbType === 'INTEGER' || duckdbType === 'HUGEINT') return 'integer';
  if (duckdbType === 'DATE') return 'date';
  return 'text';
}
