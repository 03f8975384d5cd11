import { cast, lit, type Expr } from '@tidyvault/sql';
import type { ColumnType } from './types.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const WHOLE = /^\s*[-+]?\d+\s*$/;
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

function validIsoDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(s + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/**
 * A recipe value as a SQL literal of the column's type, or a message saying why it cannot be.
 * Text columns take strings; number columns numbers (or numeric strings); date columns YYYY-MM-DD.
 */
export function typedLiteral(value: string | number, type: ColumnType): Expr | string {
  switch (type) {
    case 'text':
      return typeof value === 'string' ? lit(value) : `expected text, got the number ${value}`;
    case 'number':
    case 'integer': {
      // A whole number as text keeps every digit (a JSON number past 2^53 has lost some already).
      if (type === 'integer' && typeof value === 'string' && WHOLE.test(value)) {
        const big = BigInt(value.trim());
        if (big >= BIGINT_MIN && big <= BIGINT_MAX) return cast(lit(big.toString()), 'BIGINT');
        return `expected a whole number within the integer range (±9.2e18), got ${JSON.stringify(value)}`;
      }
      const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
      if (!Number.isFinite(n)) return `expected a number, got ${JSON.stringify(value)}`;
      if (type === 'integer') {
        if (!Number.isSafeInteger(n))
          return Number.isInteger(n) && typeof value === 'number'
            ? `${value} is past 9007199254740991, where a JSON number loses digits: write the whole number as text ("…") to keep them`
            : `expected a whole number, got ${JSON.stringify(value)}`;
        return cast(lit(n), 'BIGINT');
      }
      return cast(lit(n), 'DOUBLE');
    }
    case 'date':
      return typeof value === 'string' && validIsoDate(value)
        ? cast(lit(value), 'DATE')
        : `expected a date as YYYY-MM-DD, got ${JSON.stringify(value)}`;
  }
}
