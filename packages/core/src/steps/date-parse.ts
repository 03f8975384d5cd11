import { and, bin, call, caseWhen, cast, list, lit, not, or, type Expr } from '@tidyvault/sql';

/** What DuckDB's strptime matches as whitespace: a space in a format matches a run of these. */
const STRPTIME_SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

/** A format's parts: the characters it matches literally (spaces aside) and its fields. */
export interface FormatParts {
  literals: string[];
  fields: string[];
}

type Token = { field: string } | { literal: string };

/** A format as its fields and literal characters, in order (`%%` a literal '%', `%-d` the field d). */
function tokens(format: string): Token[] {
  const chars = [...format];
  const out: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== '%') out.push({ literal: chars[i]! });
    else if (chars[i + 1] === '%') {
      out.push({ literal: '%' });
      i++;
    } else {
      const dash = chars[i + 1] === '-';
      out.push({ field: chars[i + (dash ? 2 : 1)] ?? '' });
      i += dash ? 2 : 1;
    }
  }
  return out;
}

/**
 * The characters `format` matches literally, spaces aside (they match any run of whitespace):
 * a value without all of them cannot parse with it. `%%` is a literal '%'; `%x` and `%-x` are
 * fields. Characters are code points: an emoji is one literal, not two halves.
 */
export function formatParts(format: string): FormatParts {
  const literals = new Set<string>();
  const fields: string[] = [];
  for (const t of tokens(format)) {
    if ('field' in t) fields.push(t.field);
    else if (!STRPTIME_SPACE.has(t.literal)) literals.add(t.literal);
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
 * Why `format`'s week fields would give wrong dates, if they would. DuckDB reads an ISO week date
 * only as %G, %V and %u together, alone: it ignores %g, %G without %V (every date falls in 1900),
 * a weekday given as %a, %A or %w (every date is that week's Monday), and the ISO fields when
 * calendar fields are there too. With %U or %W it ignores %a and %A.
 */
export function isoWeekProblem(format: string): string | undefined {
  const fields = new Set(formatParts(format).fields);
  const any = (list: string) => [...list].some((f) => fields.has(f));
  if ((fields.has('U') || fields.has('W')) && any('aA'))
    return '%U and %W (week numbers) read the weekday only as %w or %u: DuckDB ignores %a and %A there, giving the Monday';
  if (!any('GgV')) return undefined;
  if (fields.has('g')) return '%g (the ISO year in two digits) is not read: use %G';
  if (!fields.has('G') || !fields.has('V') || !fields.has('u') || any('aAw'))
    return 'an ISO week date needs %G (year), %V (week) and %u (weekday, 1 = Monday), and no other weekday field';
  if (any('YymdbBhjUW'))
    return 'an ISO week date (%G, %V, %u) cannot be mixed with calendar fields (%Y, %m, %d…): DuckDB would read only those';
  return undefined;
}

/**
 * Why `format` cannot be a to-date format, if it cannot, as the rest of a sentence that names the
 * format: it reads no part of a date, names a time zone (%Z), or has week fields DuckDB misreads.
 */
export function formatProblem(format: string): string | undefined {
  if (lacksDateField(format))
    return ' has no date field (such as %Y, %m, %d or %b): every value it matched would become 1900-01-01';
  if (formatParts(format).fields.includes('Z'))
    return `: %Z (a time zone name) is read differently by the CLI's and the browser's DuckDB (one rolls 2024-02-30 over to 03-01, the other has no zone names); use %z for an offset such as +0100, or write a fixed name as text ("%Y-%m-%d %H:%M:%S UTC")`;
  const week = isoWeekProblem(format);
  return week === undefined ? undefined : `: ${week}`;
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

/** Fields that read no digit, and how many digits at most the others read (DuckDB 1.5). */
const NO_DIGIT_FIELDS = new Set([...'bBhaAp']);
const DIGITS: Record<string, number> = {
  d: 2,
  m: 2,
  y: 2,
  H: 2,
  I: 2,
  M: 2,
  S: 2,
  U: 2,
  W: 2,
  V: 2,
  j: 3,
  w: 1,
  u: 1,
  f: 6,
  n: 9,
};
/** The year fields: four digits, from 0001 (DuckDB's also read one to three, and 0000 as 1 BC). */
const YEAR_FIELDS = new Set(['Y', 'G']);
/** Fields that read a whole date, year included (%x, %c): their year is checked as %Y's. */
const WHOLE_DATE_FIELDS = new Set(['x', 'c']);
const FOUR_DIGIT_YEAR = '[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9]';
const STRPTIME_SPACE_CLASS = '[ \\t\\n\\v\\f\\r]';

const readsDigits = (t: Token | undefined): boolean =>
  t !== undefined && 'field' in t && (YEAR_FIELDS.has(t.field) || t.field in DIGITS);

/**
 * Is a run of four digits in a value that `format` parses necessarily its year? True when the
 * year is the format's one long field: no other field reads four digits or more, no two numeric
 * fields touch, and no literal is a digit.
 */
export function yearIsTheOnlyFourDigits(format: string): boolean {
  const ts = tokens(format);
  let years = 0;
  for (const [i, t] of ts.entries()) {
    if ('literal' in t) {
      if (/[0-9]/.test(t.literal)) return false;
      continue;
    }
    if (YEAR_FIELDS.has(t.field)) years++;
    else if (!NO_DIGIT_FIELDS.has(t.field) && !((DIGITS[t.field] ?? 9) <= 3)) return false;
    if (readsDigits(t) && readsDigits(ts[i + 1])) return false;
  }
  return years === 1;
}

const escapeRegex = (ch: string) => (/[\\^$.|?*+()[\]{}]/.test(ch) ? `\\${ch}` : ch);

/**
 * A regex the whole value must match for `format`'s year to be read as four digits, or undefined
 * for a field it does not model (%c, %x, %T…). Digit fields are read as DuckDB reads them, as many
 * digits as they take when another digit field follows at once ('%d%m%Y' reads '1012021' as 10,
 * 12 and 021: refused), so the year the regex sees is the one DuckDB reads.
 */
export function yearShapeRegex(format: string): string | undefined {
  const ts = tokens(format);
  let re = '';
  for (const [i, t] of ts.entries()) {
    if ('literal' in t) {
      re += STRPTIME_SPACE.has(t.literal) ? `${STRPTIME_SPACE_CLASS}+` : escapeRegex(t.literal);
      continue;
    }
    const f = t.field;
    if (YEAR_FIELDS.has(f)) re += `(?:${FOUR_DIGIT_YEAR})`;
    else if (f in DIGITS) re += readsDigits(ts[i + 1]) ? `[0-9]{${DIGITS[f]}}` : `[0-9]{1,${DIGITS[f]}}`;
    else if (NO_DIGIT_FIELDS.has(f)) re += '[A-Za-z]+';
    else if (f === 'z') re += '(?:[+-][0-9:]+|[Zz])';
    else return undefined;
  }
  return `${STRPTIME_SPACE_CLASS}*${re}${STRPTIME_SPACE_CLASS}*`;
}

const dateLit = (iso: string): Expr => cast(lit(iso), 'DATE');

/**
 * `date` if `value` holds its year zero-padded to four digits (or the year is 1000 or later), for
 * formats yearShapeRegex does not model: approximate (the digits may be another field's), and it
 * parses the value again.
 */
const fourDigitYear = (value: Expr, date: Expr): Expr =>
  caseWhen([
    [bin('>=', date, dateLit('1000-01-01')), date],
    [
      and(bin('>=', date, dateLit('0001-01-01')), call('contains', value, call('strftime', date, lit('%Y')))),
      date,
    ],
  ]);

/*
 * DuckDB's %Y (and %G) also read one to three digits ('3/4/21' is the year 21) and the year 0
 * (1 BC); RECIPE.md's, and Python's, need four, from 0001. So a format with a year is tried only
 * on values that show one: four digits in a row where they can only be the year (a cheap test that
 * also skips blanks and words), else the whole value matched against the format's shape.
 */
function parseWith(value: Expr, formats: string[]): Expr {
  const parts = formats.map(formatParts);
  const plain = parts.every((p) => p.fields.every((f) => PLAIN_FIELDS.has(f)));
  const hasYear = parts.map((p) => p.fields.some((f) => YEAR_FIELDS.has(f) || WHOLE_DATE_FIELDS.has(f)));
  const simple = formats.map((f, i) => hasYear[i]! && yearIsTheOnlyFourDigits(f));
  const shapes = formats.map((f, i) => (hasYear[i]! && !simple[i] ? yearShapeRegex(f) : undefined));
  const checkYear = formats.map((_, i) => hasYear[i]! && !simple[i] && shapes[i] === undefined);
  const fourDigits = call('regexp_matches', value, lit(FOUR_DIGIT_YEAR));
  const yearGuard = (i: number): Expr =>
    shapes[i] !== undefined ? call('regexp_full_match', value, lit(shapes[i])) : fourDigits;
  const one = (f: string): Expr => call('try_strptime', value, lit(f));
  const asDate = (i: number): Expr => {
    const date = parts[i]!.fields.some((f) => f === 'z' || f === 'Z')
      ? utcDate(one(formats[i]!))
      : cast(one(formats[i]!), 'DATE');
    return checkYear[i] ? fourDigitYear(value, date) : date;
  };
  if (formats.length === 1) return hasYear[0] ? caseWhen([[yearGuard(0), asDate(0)]]) : asDate(0);
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
    if (hasYear[i]) return caseWhen([[and(...holds, yearGuard(i)), parse]]);
    return holds.length === 0 ? parse : caseWhen([[or(and(...holds), noDigit), parse]]);
  });
  const first = call('coalesce', ...tries);
  return timestamps ? cast(first, 'DATE') : first;
}
