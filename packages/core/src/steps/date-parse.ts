import { and, call, caseWhen, list, lit, not, or, type Expr } from '@tidyvault/sql';

/** What DuckDB's strptime matches as whitespace: a space in a format matches a run of these. */
const STRPTIME_SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

/** A format's parts: the characters it matches literally (spaces aside) and its fields. */
export interface FormatParts {
  literals: string[];
  fields: string[];
}

/**
 * The characters `format` matches literally, spaces aside (they match any run of whitespace):
 * a value without all of them cannot parse with it. `%%` is a literal '%'; `%x` and `%-x` are
 * fields. Characters are code points: an emoji is one literal, not two halves.
 */
export function formatParts(format: string): FormatParts {
  const literals = new Set<string>();
  const fields: string[] = [];
  const chars = [...format];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '%') {
      if (chars[i + 1] === '%') literals.add('%');
      else if (chars[i + 1] === '-') fields.push(chars[++i + 1] ?? '');
      else fields.push(chars[i + 1] ?? '');
      i++;
      continue;
    }
    if (!STRPTIME_SPACE.has(ch)) literals.add(ch);
  }
  return { literals: [...literals], fields };
}

/**
 * Fields whose formats all give a plain TIMESTAMP. Others change the type (%z and %Z a
 * TIMESTAMPTZ, %n nanoseconds a TIMESTAMP_NS, whose cast fails outside 1677–2262) or are rare
 * (%c, %x, %X, %g…): a list holding one stays a single call.
 */
const PLAIN_FIELDS = new Set([...'aAwdbBhmyYHIpMSfjUW']);

/** What DuckDB's strptime takes as a special value whatever the format (case aside). */
const SPECIAL_VALUES = '\\s*-?(infinity|epoch)\\s*';

/**
 * `try_strptime(value, formats)`: the first format that parses wins. A failed try makes DuckDB
 * format an error message (in DuckDB-WASM it costs as much as 2 µs per value), so each format is
 * tried only on values holding its literal characters: '2024-01-31' is not tried as '%d/%m/%Y'
 * (a value without digits is tried with every format).
 * A list with a field that gives another type (see PLAIN_FIELDS) stays one call.
 */
export function tryStrptime(value: Expr, formats: string[]): Expr {
  // DuckDB parses 'infinity', '-infinity' and 'epoch' with any format (as 1900-01-01 once cast
  // to a date): not a date written in any of the formats, so NULL, as for any other text.
  const special = call('regexp_full_match', value, lit(SPECIAL_VALUES), lit('i'));
  return caseWhen([[special, lit(null)]], parseWith(value, formats));
}

function parseWith(value: Expr, formats: string[]): Expr {
  const parts = formats.map(formatParts);
  const guards = parts.map((p) => p.literals);
  const plain = parts.every((p) => p.fields.every((f) => PLAIN_FIELDS.has(f)));
  if (formats.length === 1 || !plain || guards.every((g) => g.length === 0))
    return call(
      'try_strptime',
      value,
      formats.length === 1 ? lit(formats[0]!) : list(formats.map((f) => lit(f))),
    );
  // A value without a digit (a month name alone, say) is tried with every format, as one call would.
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
