import { and, bin, call, caseWhen, cast, list, lit, not, or, type Expr } from '@tidyvault/sql';

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
 * Why `format`'s ISO-week fields would give wrong dates, if they would. DuckDB reads an ISO week
 * date only as %G, %V and %u together: it ignores %g, and %G without %V (every date falls in
 * 1900), and a weekday given as %a, %A or %w (every date is that week's Monday).
 */
export function isoWeekProblem(format: string): string | undefined {
  const fields = new Set(formatParts(format).fields);
  if (!['G', 'g', 'V'].some((f) => fields.has(f))) return undefined;
  if (fields.has('g')) return '%g (the ISO year in two digits) is not read: use %G';
  if (!fields.has('G') || !fields.has('V') || !fields.has('u') || ['a', 'A', 'w'].some((f) => fields.has(f)))
    return 'an ISO week date needs %G (year), %V (week) and %u (weekday, 1 = Monday), and no other weekday field';
  return undefined;
}

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

const dateLit = (iso: string): Expr => cast(lit(iso), 'DATE');

/** Fields that read no digit, and fields that read at most three. */
const NO_DIGIT_FIELDS = new Set([...'bBhaAp']);
const FEW_DIGIT_FIELDS = new Set([...'dmyHIMSjwuUW']);

/**
 * Is a run of four digits in a value that `format` parses necessarily its %Y year? True when %Y
 * is the format's one long field: no other field reads four digits or more, no two numeric
 * fields touch, and no literal is a digit.
 */
export function yearIsTheOnlyFourDigits(format: string): boolean {
  const chars = [...format];
  let years = 0;
  let previousNumeric = false;
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== '%' || chars[i + 1] === '%') {
      if (chars[i] === '%') i++;
      else if (/[0-9]/.test(chars[i]!)) return false;
      previousNumeric = false;
      continue;
    }
    const field = chars[i + 1] === '-' ? chars[i + 2] : chars[i + 1];
    i += chars[i + 1] === '-' ? 2 : 1;
    if (field === 'Y') years++;
    else if (field === undefined || !(NO_DIGIT_FIELDS.has(field) || FEW_DIGIT_FIELDS.has(field)))
      return false;
    const numeric = !NO_DIGIT_FIELDS.has(field);
    if (numeric && previousNumeric) return false;
    previousNumeric = numeric;
  }
  return years === 1;
}

/**
 * `date` (parsed by a format with %Y from `value`) if its year was written with four digits, else
 * NULL, for formats where a run of four digits may be something else (`%d%m%Y`, a `%z` offset).
 * The test runs only on the rare years before 1000: the value must then hold the year zero-padded
 * to four digits ('0021'). It parses the value again, so it is kept for such formats.
 */
const fourDigitYear = (value: Expr, date: Expr): Expr =>
  caseWhen([
    [bin('>=', date, dateLit('1000-01-01')), date],
    [
      and(bin('>=', date, dateLit('0001-01-01')), call('contains', value, call('strftime', date, lit('%Y')))),
      date,
    ],
  ]);

/** Four digits in a row, not all zero (there was no year 0). */
const FOUR_DIGIT_YEAR = '[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9]';

/*
 * DuckDB's %Y also reads one to three digits ('3/4/21' is the year 21) and the year 0 (1 BC);
 * RECIPE.md's, and Python's, needs four, from 0001. So a format with %Y is tried only on values
 * holding such four digits in a row (a cheap test that also skips blanks and words), and, where those digits may be another field's,
 * its date is checked too (fourDigitYear).
 */
function parseWith(value: Expr, formats: string[]): Expr {
  const parts = formats.map(formatParts);
  const plain = parts.every((p) => p.fields.every((f) => PLAIN_FIELDS.has(f)));
  const hasYear = parts.map((p) => p.fields.includes('Y'));
  const checkYear = formats.map((f, i) => hasYear[i]! && !yearIsTheOnlyFourDigits(f));
  const fourDigits = call('regexp_matches', value, lit(FOUR_DIGIT_YEAR));
  const one = (f: string): Expr => call('try_strptime', value, lit(f));
  const asDate = (i: number): Expr => {
    const date = parts[i]!.fields.some((f) => f === 'z' || f === 'Z')
      ? utcDate(one(formats[i]!))
      : cast(one(formats[i]!), 'DATE');
    return checkYear[i] ? fourDigitYear(value, date) : date;
  };
  if (formats.length === 1) return hasYear[0] ? caseWhen([[fourDigits, asDate(0)]]) : asDate(0);
  // Timestamps from one call over the list, or from each format, made a date once at the end.
  const timestamps = plain && !checkYear.some(Boolean);
  const literals = parts.map((p) => p.literals);
  if (timestamps && literals.every((g) => g.length === 0) && !hasYear.some(Boolean))
    return cast(call('try_strptime', value, list(formats.map((f) => lit(f)))), 'DATE');
  // A value without a digit (a month name alone, say) is tried with every format, as one call would.
  const noDigit = not(call('regexp_matches', value, lit('[0-9]')));
  const tries = formats.map((f, i) => {
    const parse = timestamps ? one(f) : asDate(i);
    const holds = literals[i]!.map((ch) => call('contains', value, lit(ch)));
    // With a year's four digits, a value has a digit.
    if (hasYear[i]) return caseWhen([[and(...holds, fourDigits), parse]]);
    return holds.length === 0 ? parse : caseWhen([[or(and(...holds), noDigit), parse]]);
  });
  const first = call('coalesce', ...tries);
  return timestamps ? cast(first, 'DATE') : first;
}
