export interface CsvScanOptions {
  /** One UTF-16 code unit, e.g. ',' or '\t'. */
  delimiter: string;
  /** One UTF-16 code unit, doubled inside a quoted field to stand for itself; null: no quoting. */
  quote: string | null;
  /** Fields a record should have (the header's width); records are compared only when given. */
  expectedFields?: number;
}

export type LineEndingKind = 'lf' | 'crlf' | 'cr';

/** Lines are 1-based physical lines: LF, CRLF and lone CR each end one, inside quotes too. */
export interface CsvScanReport {
  /** Physical lines; a last line without a line break counts. */
  lines: number;
  /** Records, the header included; lines with no characters at all are not records. */
  records: number;
  blankLines: number;
  maxFields: number;
  /** Records with fewer fields than `expectedFields`. */
  shortRecords: number;
  /** The first record with more fields than `expectedFields`, at the line where it starts. */
  firstLongRecord?: { line: number; fields: number };
  /** A quoted field still open at the end of the input, at the line where its quote opened. */
  unterminatedQuote?: { line: number };
  /** The first quote that neither opens nor closes a field, e.g. `ab"c` or `"ab"c`. */
  strayQuote?: { line: number; kind: 'inside-unquoted-field' | 'after-closing-quote' };
  /** Line breaks inside quoted fields (a CRLF counts once). */
  quotedNewlines: number;
  firstQuotedNewline?: { line: number };
  /** Record terminators outside quotes, blank lines included. */
  lineEndings: Record<LineEndingKind, number>;
  /** The first line whose terminator differs from the first line's. */
  mixedLineEndings?: { line: number };
}

const LF = 0x0a;
const CR = 0x0d;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote seen inside a quoted field: either half of a doubled quote or the closing quote. */
const QUOTE_IN_QUOTED = 3;

function codeUnit(name: string, value: string): number {
  if (value.length !== 1)
    throw new RangeError(`the CSV ${name} must be one character, got ${JSON.stringify(value)}`);
  const unit = value.charCodeAt(0);
  if (unit === LF || unit === CR) throw new RangeError(`the CSV ${name} cannot be a line break`);
  return unit;
}

/**
 * Scans CSV text pushed in chunks of any size (a chunk may end inside quotes or between CR and LF)
 * and counts records and fields without keeping any values.
 */
export class CsvScanner {
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly expectedFields: number | undefined;

  private state = FIELD_START;
  private line = 1;
  private fields = 1;
  private recordStarted = false;
  private recordLine = 1;
  private quoteLine = 1;
  private prevCR = false;
  /** The last character was a CR that ended a record outside quotes: an LF next makes it CRLF. */
  private crEndedRecord = false;
  private crLine = 0;
  private firstEnding: LineEndingKind | undefined;
  private lastUnit = -1;
  private finished = false;
  private readonly report: CsvScanReport = {
    lines: 0,
    records: 0,
    blankLines: 0,
    maxFields: 0,
    shortRecords: 0,
    quotedNewlines: 0,
    lineEndings: { lf: 0, crlf: 0, cr: 0 },
  };

  constructor(options: CsvScanOptions) {
    this.delimiter = codeUnit('delimiter', options.delimiter);
    this.quote = options.quote === null ? -1 : codeUnit('quote', options.quote);
    if (this.quote === this.delimiter) throw new RangeError('the CSV quote and delimiter must differ');
    this.expectedFields = options.expectedFields;
  }

  push(chunk: string): void {
    if (this.finished) throw new Error('CsvScanner: push() after finish()');
    const delimiter = this.delimiter;
    const quote = this.quote;
    let state = this.state;
    let line = this.line;
    let fields = this.fields;
    let prevCR = this.prevCR;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      let c = chunk.charCodeAt(i);
      // Runs of ordinary characters inside a field are skipped in a tight loop.
      if (state === QUOTED || state === UNQUOTED) {
        const from = i;
        if (state === QUOTED) while (c !== quote && c !== LF && c !== CR && ++i < n) c = chunk.charCodeAt(i);
        else
          while (c !== delimiter && c !== quote && c !== LF && c !== CR && ++i < n) c = chunk.charCodeAt(i);
        if (i > from) prevCR = false;
        if (i === n) break;
      }
      if (c === LF || c === CR) {
        if (state === QUOTED) {
          if (c === CR || !prevCR) {
            line++;
            if (this.report.quotedNewlines++ === 0) this.report.firstQuotedNewline = { line: line - 1 };
          }
          prevCR = c === CR;
          continue;
        }
        if (this.crEndedRecord) {
          this.crEndedRecord = false;
          if (c === LF) {
            this.noteEnding('crlf', this.crLine);
            prevCR = false;
            continue;
          }
          this.noteEnding('cr', this.crLine);
        }
        this.endRecord(fields);
        fields = 1;
        state = FIELD_START;
        if (c === CR) {
          this.crEndedRecord = true;
          this.crLine = line;
        } else this.noteEnding('lf', line);
        line++;
        prevCR = c === CR;
        continue;
      }
      if (this.crEndedRecord) {
        this.crEndedRecord = false;
        this.noteEnding('cr', this.crLine);
      }
      prevCR = false;
      switch (state) {
        case FIELD_START:
          if (!this.recordStarted) {
            this.recordStarted = true;
            this.recordLine = line;
          }
          if (c === quote) {
            state = QUOTED;
            this.quoteLine = line;
          } else if (c === delimiter) fields++;
          else state = UNQUOTED;
          break;
        case UNQUOTED:
          if (c === delimiter) {
            fields++;
            state = FIELD_START;
          } else if (c === quote) this.report.strayQuote ??= { line, kind: 'inside-unquoted-field' };
          break;
        case QUOTED:
          if (c === quote) state = QUOTE_IN_QUOTED;
          break;
        default:
          if (c === quote) state = QUOTED;
          else if (c === delimiter) {
            fields++;
            state = FIELD_START;
          } else {
            this.report.strayQuote ??= { line, kind: 'after-closing-quote' };
            state = UNQUOTED;
          }
      }
    }
    if (n > 0) this.lastUnit = chunk.charCodeAt(n - 1);
    this.state = state;
    this.line = line;
    this.fields = fields;
    this.prevCR = prevCR;
  }

  finish(): CsvScanReport {
    if (!this.finished) {
      this.finished = true;
      if (this.crEndedRecord) this.noteEnding('cr', this.crLine);
      if (this.state === QUOTED) this.report.unterminatedQuote = { line: this.quoteLine };
      this.endRecord(this.fields);
      const endsWithBreak = this.lastUnit === LF || this.lastUnit === CR;
      this.report.lines = this.lastUnit < 0 ? 0 : endsWithBreak ? this.line - 1 : this.line;
    }
    return this.report;
  }

  private endRecord(fields: number): void {
    if (!this.recordStarted) {
      if (!this.finished) this.report.blankLines++;
      return;
    }
    this.recordStarted = false;
    const report = this.report;
    report.records++;
    if (fields > report.maxFields) report.maxFields = fields;
    const expected = this.expectedFields;
    if (expected === undefined) return;
    if (fields < expected) report.shortRecords++;
    else if (fields > expected) report.firstLongRecord ??= { line: this.recordLine, fields };
  }

  private noteEnding(kind: LineEndingKind, line: number): void {
    this.report.lineEndings[kind]++;
    if (this.firstEnding === undefined) this.firstEnding = kind;
    else if (kind !== this.firstEnding) this.report.mixedLineEndings ??= { line };
  }
}

/** Scans a whole text at once. */
export function scanCsvText(text: string, options: CsvScanOptions): CsvScanReport {
  const scanner = new CsvScanner(options);
  scanner.push(text);
  return scanner.finish();
}
