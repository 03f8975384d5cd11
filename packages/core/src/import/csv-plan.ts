import { lit, type Expr, type From } from '@tidyvault/sql';
import { TidyvaultError } from '../errors.js';
import { firstRecord, firstRecordHasStrayQuote, leadingBlankLines } from '../text/first-record.js';
import { csvBufferBytes, CSV_MAX_LINE_BYTES, CSV_SAMPLE_BYTES } from './csv-reader-sizes.js';
import { decodeSample } from './decode-text.js';
import { ImportSniffError } from './errors.js';
import { autoColumnNames, repairHeaderNames } from './header-names.js';
import { sniffDialect } from './sniff-dialect.js';
import { chooseEncoding } from './sniff-encoding.js';
import type { TextEncodingName } from './text-encoding.js';

/** What a person (or the CLI's flags, or the API's query) said about a CSV file. */
export interface CsvAsked {
  format?: string;
  delimiter?: string;
  header?: boolean;
  encoding?: TextEncodingName;
}

/** What a retry already knows: the encoding to use, and that line ends must be made alike. */
export interface CsvRetry {
  encoding?: TextEncodingName;
  normalizeNewlines?: boolean;
}

/**
 * How both engines read one CSV file with DuckDB, decided from its first bytes: the engines only
 * do the I/O (rewriting the bytes when `rewrite` says so, and registering the file).
 */
export interface CsvPlan {
  encoding: TextEncodingName;
  bomLength: number;
  delimiter: string;
  quote: string | null;
  header: boolean;
  /** The columns, named as header repair names them (or column_1, … without a header). */
  names: string[];
  /** Empty lines before the header, for DuckDB to pass over. */
  skip: number;
  /** CR-only, mixed, or a blank-line prefix whose line ends differ from the body's. */
  normalizeNewlines: boolean;
  /** DuckDB cannot read the bytes as they are: another encoding, a byte-order mark, or line ends to make alike. */
  rewrite: boolean;
  /** The delimiter, when the sniffer was unsure of it and nobody named one. */
  guessedDelimiter?: string;
  /** The sniffer read the first row as data (nobody said whether there is a header). */
  guessedNoHeader?: true;
}

/** The import's warning when the first row was taken for data by a guess: a header of years reads so. */
export const NO_HEADER_GUESSED =
  'the first row was read as data, not as a header: its cells look like the rows below it (numbers over numbers); if it is the header, say so (--header on the command line, header=true in an upload’s query)';

/**
 * The warnings of a CSV read by its plan, in the order the import reports them. `names` are the
 * columns read (more than the plan's with extra fields added), `padded` the rows that had too
 * few fields, `notUtf8Line` the first line that is not UTF-8 when the file was read in another
 * encoding.
 */
export function csvReadWarnings(
  p: CsvPlan,
  read: { names: string[]; padded: number; notUtf8Line?: number | undefined },
): string[] {
  const { names, padded, notUtf8Line } = read;
  const warnings: string[] = [];
  const added = names.slice(p.names.length);
  if (added.length > 0)
    warnings.push(
      `${added.length} column${added.length === 1 ? '' : 's'} added for the extra fields (${added.join(', ')}): the widest row has ${names.length} fields, the header ${p.names.length}`,
    );
  if (padded > 0)
    warnings.push(
      `${padded} row${padded === 1 ? '' : 's'} had fewer fields than the ${added.length > 0 ? 'widest row' : 'header'} and ${padded === 1 ? 'was' : 'were'} padded with empty (null) cells`,
    );
  if (p.guessedNoHeader) warnings.push(NO_HEADER_GUESSED);
  if (p.encoding !== 'utf-8')
    warnings.push(
      `read as ${p.encoding === 'windows-1252' ? 'Windows-1252' : p.encoding.toUpperCase()}` +
        (notUtf8Line === undefined ? '' : ` (line ${notUtf8Line} is not valid UTF-8)`),
    );
  return warnings;
}

/** DuckDB matches column names case-insensitively, so "Name" and "name" must not both exist. */
export const CASE_INSENSITIVE_NAMES = { caseInsensitive: true } as const;

/** A sniffing failure as the error an import reports, naming the file. */
export function sniffFailure(e: unknown, file: string): never {
  if (e instanceof ImportSniffError) {
    const code =
      e.code === 'EMPTY' ? 'IMPORT_EMPTY' : e.code === 'BINARY' ? 'IMPORT_BINARY' : 'IMPORT_ENCODING';
    throw new TidyvaultError(code, `${file}: ${e.message}`, { file, ...(e.line ? { line: e.line } : {}) });
  }
  throw e;
}

/**
 * The plan for a CSV file from a sample of its first bytes (`whole` when the sample is the whole
 * file). Throws the import's error, naming `file`, when the file cannot be read as asked.
 */
export function planCsv(
  sample: Uint8Array,
  whole: boolean,
  file: string,
  asked: CsvAsked,
  retry: CsvRetry = {},
): CsvPlan {
  const { first, ...plan } = sniffCsv(sample, whole, file, asked, retry);
  if (first === undefined)
    throw new TidyvaultError(
      'IMPORT_FORMAT',
      whole
        ? `${file}: line 1: a quoted field is never closed`
        : `${file}: line 1: the first record does not end within the first ${CSV_SAMPLE_BYTES / 2 ** 20} MiB (a quoted field never closed, or a record that long)`,
      { file, line: 1 },
    );
  if (plan.header && firstRecordHasStrayQuote(plan.text, plan.delimiter, plan.quote)) {
    const line = plan.skip + 1;
    throw new TidyvaultError(
      'IMPORT_FORMAT',
      `${file}: line ${line}: the header has a quote character inside an unquoted field, or text after a closing quote (quote the whole name, doubling the quotes inside it, or remove the quotes)`,
      { file, line },
    );
  }
  const { text: _text, ...rest } = plan;
  return {
    ...rest,
    names: plan.header
      ? repairHeaderNames(first, CASE_INSENSITIVE_NAMES)
      : autoColumnNames(1, first.length, new Set(), CASE_INSENSITIVE_NAMES),
  };
}

/**
 * planCsv without the column names: the first record's fields instead, undefined when it does not
 * end within the sample (the server's limit scan reads on without them), and the sample's text
 * after any blank lines.
 */
export function sniffCsv(
  sample: Uint8Array,
  whole: boolean,
  file: string,
  asked: CsvAsked,
  retry: CsvRetry = {},
): Omit<CsvPlan, 'names'> & { first: string[] | undefined; text: string } {
  let enc: { encoding: TextEncodingName; bomLength: number };
  try {
    enc = chooseEncoding(sample, whole, asked.encoding, retry.encoding);
  } catch (e) {
    sniffFailure(e, file);
  }
  // Empty lines before the header: DuckDB would take the first as the header, and the real one as data.
  const blank = leadingBlankLines(decodeSample(sample, enc, whole));
  let { lines: skip, rest: text, ending: skippedEnding } = blank;
  // Excel's hint line ("sep=;") names the delimiter; it is not the header.
  const hint = /^sep=([^\r\n])(\r\n|\r|\n)/i.exec(text);
  if (hint) {
    const ending = hint[2] === '\r\n' ? 'crlf' : hint[2] === '\r' ? 'cr' : 'lf';
    skippedEnding = skippedEnding === undefined || skippedEnding === ending ? ending : 'mixed';
    skip++;
    text = text.slice(hint[0].length);
  }
  const dialect = sniffDialect(text);
  // RFC 4180 quoting unless the sample shows another quote character.
  const quote = dialect.quote ?? '"';
  const delimiter = asked.delimiter ?? (asked.format === 'tsv' ? '\t' : (hint?.[1] ?? dialect.delimiter));
  const header = asked.header ?? dialect.hasHeader;
  const first = firstRecord(text, delimiter, quote);
  const normalizeNewlines =
    retry.normalizeNewlines === true ||
    dialect.lineEnding === 'cr' ||
    dialect.lineEnding === 'mixed' ||
    (skippedEnding !== undefined && skippedEnding !== dialect.lineEnding);
  return {
    ...enc,
    delimiter,
    quote,
    header,
    first,
    text,
    skip,
    normalizeNewlines,
    rewrite: enc.encoding !== 'utf-8' || enc.bomLength > 0 || normalizeNewlines,
    ...(asked.delimiter === undefined && asked.format !== 'tsv' && !hint && dialect.unsure.delimiter
      ? { guessedDelimiter: delimiter }
      : {}),
    ...(asked.header === undefined && !header ? { guessedNoHeader: true as const } : {}),
  };
}

const randomHex = (bytes: number) =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

/** Empty fields must stay '' (not NULL); only padding makes NULL. DuckDB needs some null string: one no file holds. */
const NEVER_NULL = '\u0001tidyvault-no-null-' + randomHex(12);

/**
 * DuckDB's `read_csv` of a planned file at `path` (UTF-8 by then), every column text. Padding short
 * rows needs DuckDB's serial reader (its parallel one cannot pad rows whose fields hold line
 * breaks), so `pad` is only set for files that turn out to have short rows.
 */
export function readCsvCall(
  path: string,
  plan: Pick<CsvPlan, 'header' | 'skip' | 'delimiter' | 'quote'>,
  names: string[],
  pad: boolean,
  fileBytes: number,
): From {
  const named: Record<string, Expr> = {
    auto_detect: lit(false),
    header: lit(plan.header),
    ...(plan.skip > 0 ? { skip: lit(plan.skip) } : {}),
    delim: lit(plan.delimiter),
    quote: lit(plan.quote ?? ''),
    escape: lit(plan.quote ?? ''),
    columns: { kind: 'struct', fields: names.map((name) => ({ name, value: lit('VARCHAR') })) },
    null_padding: lit(pad),
    parallel: lit(!pad),
    strict_mode: lit(true),
    nullstr: lit(NEVER_NULL),
    allow_quoted_nulls: lit(false),
    max_line_size: lit(CSV_MAX_LINE_BYTES),
    buffer_size: lit(csvBufferBytes(fileBytes)),
  };
  return { kind: 'tableFunction', fn: 'read_csv', args: [lit(path)], named };
}
