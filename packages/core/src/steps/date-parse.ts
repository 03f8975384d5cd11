import { and, call, caseWhen, list, lit, not, or, type Expr } from '@tidyvault/sql';

/** What DuckDB's strptime matches as whitespace: a space in a format matches a run of these. */
const STRPTIME_SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

/**
 * The characters `format` matches literally, spaces aside (they match any run of whitespace):
 * a value without all of them cannot parse with it. `%%` is a literal '%'; `%x` and `%-x` are fields.
 */
export function formatLiterals(format: string): string[] {
  const found = new Set<string>();
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch === '%') {
      const next = format[i + 1];
      if (next === '%') found.add('%');
      i += next === '-' ? 2 : 1;
      continue;
    }
    if (!STRPTIME_SPACE.has(ch)) found.add(ch);
  }
  return [...found];
}

/**
 * `try_strptime(value, formats)`: the first format that parses wins. A failed try makes DuckDB
 * format an error message (in DuckDB-WASM it costs as much as 2 µs per value), so each format is
 * tried only on values holding its literal characters: '2024-01-31' is not tried as '%d/%m/%Y'
 * (a value without digits is tried with every format, for DuckDB's special values).
 * Formats with a time zone (%z, %Z) give another type; a list of them stays one call.
 */
export function tryStrptime(value: Expr, formats: string[]): Expr {
  const guards = formats.map(formatLiterals);
  if (formats.length === 1 || formats.some((f) => /%-?[zZ]/.test(f)) || guards.every((g) => g.length === 0))
    return call(
      'try_strptime',
      value,
      formats.length === 1 ? lit(formats[0]!) : list(formats.map((f) => lit(f))),
    );
  // DuckDB also parses 'infinity', '-infinity' and 'epoch' with any format: a value without a
  // digit is tried with every format, as one call would try it.
  const noDigit = not(call('regexp_matches', value, lit('[0-9]')));
  return call(
    'coalesce',
    ...formats.map((f, i) => {
      const parse = call('try_strptime', value, lit(f));
      const g = guards[i]!;
      if (g.length === 0) return parse;
      return caseWhen([[or(and(...g.map((ch) => call('contains', value, lit(ch)))), noDigit), parse]]);
    }),
  );
}
