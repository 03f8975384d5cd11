import { scanCsvText, type LineEndingKind } from './csv-scan.js';
import { parseSample, type ParsedSample } from './parse-sample.js';

export type CsvDelimiter = ',' | '\t' | ';' | '|';
export type CsvQuote = '"' | "'";
export type LineEnding = LineEndingKind | 'mixed';

export interface CsvDialect {
  delimiter: CsvDelimiter;
  quote: CsvQuote | null;
  hasHeader: boolean;
  lineEnding: LineEnding;
}

export interface DialectSniff extends CsvDialect {
  /** What the sample could not settle; a caller may offer the choice (the guesses above stand meanwhile). */
  unsure: { delimiter: boolean; quote: boolean; header: boolean };
}

/** In order of preference when two delimiters fit equally well. */
const DELIMITERS: readonly CsvDelimiter[] = [',', '\t', ';', '|'];
const SAMPLE_RECORDS = 100;
const HEADER_SAMPLE_ROWS = 50;
/** Below this share of records with the usual field count, the delimiter is a guess. */
const CONSISTENT = 0.9;

interface Fit {
  delimiter: CsvDelimiter;
  quote: CsvQuote | null;
  /** The most common field count. */
  fields: number;
  /** Records with that count, and their share of all records. */
  agreeing: number;
  consistency: number;
  parsed: ParsedSample;
}

function fitOf(text: string, delimiter: CsvDelimiter, quote: CsvQuote | null): Fit {
  const parsed = parseSample(text, delimiter, quote, SAMPLE_RECORDS);
  const counts = new Map<number, number>();
  for (const r of parsed.records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  let fields = 0;
  let often = 0;
  for (const [n, times] of counts) {
    if (times > often || (times === often && n > fields)) {
      fields = n;
      often = times;
    }
  }
  const consistency = parsed.records.length === 0 ? 0 : often / parsed.records.length;
  return { delimiter, quote, fields, agreeing: often, consistency, parsed };
}

/** Steadier field counts, then more records read that way (a wrong quote swallows records). */
const compare = (a: Fit, b: Fit) => a.consistency - b.consistency || a.agreeing - b.agreeing;

/**
 * The quote for a delimiter: '"' unless the sample shows otherwise. A single quote must read the
 * sample better than '"' and no quote (a delimiter or line break it protects): values that merely
 * start and end with an apostrophe ('Hello', 'Bud') would lose them, and the file's real
 * '"'-quoted fields would keep their quotes.
 */
function quoteFit(text: string, delimiter: CsvDelimiter): Fit {
  const double = fitOf(text, delimiter, '"');
  if (double.parsed.quotedFields > 0) return double;
  const single = fitOf(text, delimiter, "'");
  const none = fitOf(text, delimiter, null);
  if (single.parsed.quotedFields > 0 && compare(single, double) > 0 && compare(single, none) > 0)
    return single;
  if (compare(none, double) > 0) return none;
  return double;
}

/**
 * A character that splits neither the first record (the header, or the first row) nor some later
 * non-empty one, and so splits records unevenly, is more likely in the values of a one-column
 * file. A title line above a header is not this: every record after it is split.
 */
function onlyInValues(f: Fit): boolean {
  const [first, ...rest] = f.parsed.records;
  if (f.consistency >= CONSISTENT || (first?.length ?? 0) >= 2) return false;
  return rest.some((r) => r.length === 1 && r[0] !== '');
}

/**
 * A character found only at the ends of lines (`alice@example.com;` on every row of a one-column
 * file) splits off nothing but an empty field: it belongs to the values. Taken as the delimiter,
 * the empty fields would be dropped as a trailing delimiter, and the character lost from every value.
 */
function onlyAtLineEnds(f: Fit): boolean {
  return f.parsed.records.every((r) => r.slice(1).every((field) => field === ''));
}

function chooseDelimiter(text: string): { fit: Fit; unsure: boolean } {
  const fits = DELIMITERS.map((d) => quoteFit(text, d));
  const splitting = fits.filter((f) => f.fields >= 2 && !onlyInValues(f) && !onlyAtLineEnds(f));
  if (splitting.length === 0) return { fit: fits[0]!, unsure: true };
  let best = splitting[0]!;
  for (const f of splitting) if (f.consistency > best.consistency) best = f;
  const rival = splitting.some(
    (f) => f !== best && f.consistency >= CONSISTENT && best.consistency - f.consistency < 0.05,
  );
  return { fit: best, unsure: best.consistency < CONSISTENT || rival };
}

const NUMBER = /^[-+]?[$€£¥]?\s?(?:\d[\d,.' ]*\d|\d)(?:[eE][-+]?\d+)?\s?%?$|^[-+]?[.,]\d+$/;
const DATE = /^\d{4}-\d{1,2}-\d{1,2}(?:[T ].*)?$|^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$/;

/** A cell's kind for the header test: number, date, or text of some length. */
function kindOf(cell: string): string {
  const v = cell.trim();
  if (NUMBER.test(v)) return 'number';
  if (DATE.test(v)) return 'date';
  return `text:${v.length}`;
}

/**
 * Python csv.Sniffer's vote: a column whose cells below the first row all share a kind votes for a
 * header when the first row's cell is of another kind (for), or against when it is of the same
 * number or date kind. Fixed-length text columns vote only for.
 */
function headerVotes(records: string[][]): { for: number; against: number } {
  const [first, ...rest] = records;
  const rows = rest.slice(0, HEADER_SAMPLE_ROWS);
  const votes = { for: 0, against: 0 };
  first!.forEach((head, col) => {
    if (head.trim() === '') return;
    let kind: string | undefined;
    for (const row of rows) {
      const cell = row[col];
      if (cell === undefined || cell.trim() === '') continue;
      const k = kindOf(cell);
      if (kind === undefined) kind = k;
      else if (k !== kind) return;
    }
    if (kind === undefined) return;
    const headKind = kindOf(head);
    if (kind === 'number' || kind === 'date') {
      if (headKind === kind) votes.against++;
      else votes.for++;
    } else if (headKind !== kind) votes.for++;
  });
  return votes;
}

function lineEndingOf(text: string, delimiter: CsvDelimiter, quote: CsvQuote | null): LineEnding {
  // A CR at the very end of a sample may be the first half of a CRLF.
  const trimmed = text.length > 1 && text.endsWith('\r') ? text.slice(0, -1) : text;
  const { lineEndings } = scanCsvText(trimmed, { delimiter, quote });
  const kinds = (Object.keys(lineEndings) as LineEndingKind[]).filter((k) => lineEndings[k] > 0);
  if (kinds.length > 1) return 'mixed';
  return kinds[0] ?? (text.endsWith('\r') ? 'cr' : 'lf');
}

/**
 * The CSV dialect of decoded text from the start of a file (about the first MiB): the delimiter whose
 * field count is steadiest over the first records (quote-aware), the quote, whether the first row is
 * a header (true unless nothing votes for one and something votes against), and the record
 * terminators outside quotes.
 */
export function sniffDialect(text: string): DialectSniff {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const { fit, unsure: delimiterUnsure } = chooseDelimiter(body);
  const records = fit.parsed.records;
  const votes = records.length >= 2 ? headerVotes(records) : { for: 0, against: 0 };
  // One column voting for is enough: a header of years over numbers (region,2022,2023) votes
  // against in every column but its first, and reading a header as data is the costlier mistake.
  const hasHeader = votes.for > 0 || votes.against === 0;
  return {
    delimiter: fit.delimiter,
    quote: fit.quote,
    hasHeader,
    lineEnding: lineEndingOf(body, fit.delimiter, fit.quote),
    unsure: {
      delimiter: delimiterUnsure,
      quote: fit.quote !== '"' && fit.parsed.quotedFields < 3,
      header: (votes.for === 0) === (votes.against === 0),
    },
  };
}

/** Whether any part of the sniffed dialect was a guess. */
export function sniffIsUnsure(sniff: DialectSniff): boolean {
  return sniff.unsure.delimiter || sniff.unsure.quote || sniff.unsure.header;
}
