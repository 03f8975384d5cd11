import { and, call, caseWhen, cast, list, lit, not, or, type Expr } from '@tidyvault/sql';

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
 * TIMESTAMPTZ, %n nanoseconds a TIMESTAMP_NS) or are rare (%c, %x, %X, %g…). DuckDB's list form
 * mishandles such lists: with a %z format it rolls 2024-02-30 over to 2024-03-01, with a %n
 * format it casts every result to nanoseconds, so dates before 1677 are lost. Their formats are
 * tried one call each, each result made a date.
 */
const PLAIN_FIELDS = new Set([...'aAwdbBhmyYHIpMSfjUW']);

/** Fields that read no part of a date: times, weekdays, time zones. */
const NON_DATE_FIELDS = new Set([...'aAwuHIpMSfgnzZXT']);

/**
 * Does the format read no part of a date (only times, a weekday or literal text)? Every value it
 * matched would become 1900-01-01. Fields DuckDB does not know are left to its own check.
 */
export const lacksDateField = (format: string): boolean =>
  formatParts(format).fields.every((f) => NON_DATE_FIELDS.has(f));

/**
 * The UTC date of a TIMESTAMPTZ, whatever the engine's time zone: a cast would take the host's
 * zone in DuckDB with ICU (so the CLI's output would depend on the machine's TZ), and DuckDB-WASM
 * has no such cast at all.
 */
const utcDate = (ts: Expr): Expr => cast(call('make_timestamp', call('epoch_us', ts)), 'DATE');

/** What DuckDB's strptime takes as a special value whatever the format (case aside). */
const SPECIAL_VALUES = '\\s*-?(infinity|epoch)\\s*';

/**
 * The DATE the first of `formats` parses `value` into (each as DuckDB's `try_strptime` with that
 * format alone), or NULL. A failed try makes DuckDB format an error message (in DuckDB-WASM it
 * costs as much as 2 µs per value), so each format is tried only on values holding its literal
 * characters: '2024-01-31' is not tried as '%d/%m/%Y' (a value without digits is tried with every
 * format).
 */
export function tryParseDate(value: Expr, formats: string[]): Expr {
  // DuckDB parses 'infinity', '-infinity' and 'epoch' with any format (as 1900-01-01 once cast
  // to a date): not a date written in any of the formats, so NULL, as for any other text.
  const special = call('regexp_full_match', value, lit(SPECIAL_VALUES), lit('i'));
  return caseWhen([[special, lit(null)]], parseWith(value, formats));
}

function parseWith(value: Expr, formats: string[]): Expr {
  const parts = formats.map(formatParts);
  const guards = parts.map((p) => p.literals);
  const plain = parts.every((p) => p.fields.every((f) => PLAIN_FIELDS.has(f)));
  const one = (f: string): Expr => call('try_strptime', value, lit(f));
  const asDate = (i: number): Expr =>
    parts[i]!.fields.some((f) => f === 'z' || f === 'Z')
      ? utcDate(one(formats[i]!))
      : cast(one(formats[i]!), 'DATE');
  if (formats.length === 1) return asDate(0);
  if (plain && guards.every((g) => g.length === 0))
    return cast(call('try_strptime', value, list(formats.map((f) => lit(f)))), 'DATE');
  // A value without a digit (a month name alone, say) is tried with every format, as one call would.
  const noDigit = not(call('regexp_matches', value, lit('[0-9]')));
  const tries = formats.map((f, i) => {
    const parse = plain ? one(f) : asDate(i);
    const g = guards[i]!;
    if (g.length === 0) return parse;
    return caseWhen([[or(and(...g.map((ch) => call('contains', value, lit(ch)))), noDigit), parse]]);
  });
  const first = call('coalesce', ...tries);
  return plain ? cast(first, 'DATE') : first;
}
