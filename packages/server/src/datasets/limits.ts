import { Transform, type TransformCallback } from 'node:stream';
import {
  CASE_INSENSITIVE_NAMES,
  CSV_SAMPLE_BYTES,
  repairHeaderNames,
  sniffCsv,
  type LoadedDataset,
} from '@tidyvault/core';
import type { ImportOptions, InputFormat, NodeEngine } from '@tidyvault/engine-node';
import { call, col, lit, select, bin } from '@tidyvault/sql';
import { ApiError } from '../errors.js';

export interface UploadLimits {
  maxColumns: number;
  /** Longest cell, in UTF-8 bytes. */
  maxCellBytes: number;
}

const n = (x: number) => x.toLocaleString('en-US');

/** `columns` undefined: counting stopped at the first one over the limit. */
export function tooManyColumns(
  columns: number | undefined,
  max: number,
  where: string,
  line?: number,
): ApiError {
  return new ApiError(
    400,
    'UPLOAD_TOO_MANY_COLUMNS',
    `${where} has ${columns === undefined ? `more than ${n(max)}` : n(columns)} columns; this server takes at most ${n(max)} (raise it with --max-columns, TIDYVAULT_MAX_COLUMNS or "maxColumns" in the config file)`,
    { setting: 'max-columns', limit: max, ...(line !== undefined ? { line } : {}) },
  );
}

/** Longest column name an error repeats whole, in characters; the header cell that broke the limit can be megabytes. */
const SHOWN_NAME_CHARS = 100;

const shownName = (name: string): string => {
  const chars = Array.from(name);
  return chars.length <= SHOWN_NAME_CHARS ? name : `${chars.slice(0, SHOWN_NAME_CHARS).join('')}…`;
};

export function cellTooLong(
  max: number,
  where: string,
  fullColumn: string | undefined,
  line?: number,
): ApiError {
  const column = fullColumn === undefined ? undefined : shownName(fullColumn);
  return new ApiError(
    400,
    'UPLOAD_CELL_TOO_LONG',
    `${where}${column !== undefined ? `, column "${column}"` : ''}: a cell is longer than this server's limit of ${n(max)} bytes (raise it with --max-cell-length, TIDYVAULT_MAX_CELL_LENGTH or "maxCellLength" in the config file)`,
    {
      setting: 'max-cell-length',
      limit: max,
      ...(column !== undefined ? { column } : {}),
      ...(line !== undefined ? { line } : {}),
    },
  );
}

const LF = 0x0a;
const CR = 0x0d;
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

/**
 * Counts fields per record and bytes per cell of UTF-8 CSV as it streams, keeping no values.
 * Lines are physical lines (LF, CRLF or a lone CR ends one, inside quotes too), 1-based, as
 * the importer's errors count them. A cell's bytes are its decoded bytes (`""` counts once).
 */
export class CsvLimitScanner {
  private state = FIELD_START;
  private line = 1;
  private recordLine = 1;
  private fields = 1;
  private cell = 0;
  private prevCR = false;
  private nextQuote = -1;
  private nextCR = -1;
  /** 1 for the bytes that end a field, a record or a quote; every other byte is cell text. */
  private readonly special = new Uint8Array(256);

  constructor(
    private readonly delimiter: number,
    private readonly quote: number,
    private readonly limits: UploadLimits,
    private readonly columnName: (index: number) => string | undefined,
    /** Skip whole lines that cannot break a limit (see skipLines); off only to test that it changes nothing. */
    private readonly fastLines = true,
  ) {
    for (const b of [delimiter, quote, LF, CR]) this.special[b] = 1;
  }

  push(chunk: Uint8Array): void {
    this.nextQuote = -1;
    this.nextCR = -1;
    let i = 0;
    while (i < chunk.length) {
      if (
        this.fastLines &&
        this.state === FIELD_START &&
        this.fields === 1 &&
        this.cell === 0 &&
        !this.prevCR
      )
        i = this.skipLines(chunk, i);
      if (i < chunk.length) i = this.scan(chunk, i);
    }
  }

  /**
   * From a record's start, skips the lines that are whole records too short to break a limit: a
   * line of L bytes has at most L + 1 fields and no cell longer than L. Only the line's quotes are
   * looked at (found with indexOf), to tell whether it ends inside a quoted field. Returns where
   * the byte-by-byte scan must go on (a line that may matter, or one the chunk cuts).
   */
  private skipLines(chunk: Uint8Array, from: number): number {
    const { quote, delimiter } = this;
    const longest = Math.min(this.limits.maxCellBytes, this.limits.maxColumns - 1);
    const len = chunk.length;
    const next = (byte: number, at: number) => {
      const k = chunk.indexOf(byte, at);
      return k === -1 ? len : k;
    };
    // Where the next quote and CR are, kept between calls on the same chunk: searched afresh
    // from each line the byte-by-byte scan hands back, a chunk without them cost its square.
    let { nextQuote, nextCR } = this;
    const stop = (at: number) => {
      this.nextQuote = nextQuote;
      this.nextCR = nextCR;
      return at;
    };
    let i = from;
    while (i < len) {
      const lf = chunk.indexOf(LF, i);
      if (lf === -1) return stop(i);
      const end = lf > i && chunk[lf - 1] === CR ? lf - 1 : lf;
      if (end - i > longest) return stop(i);
      if (nextCR < i) nextCR = next(CR, i);
      if (nextCR < end) return stop(i);
      if (nextQuote < i) nextQuote = next(quote, i);
      let quoted = false;
      while (nextQuote < end) {
        const q = nextQuote;
        if (!quoted) {
          // A quote opens a quoted field only where a field starts; elsewhere it is text.
          if (q === i || chunk[q - 1] === delimiter) quoted = true;
          nextQuote = next(quote, q + 1);
        } else if (q + 1 < end && chunk[q + 1] === quote) {
          nextQuote = next(quote, q + 2); // "" inside quotes stands for one quote
        } else {
          quoted = false;
          nextQuote = next(quote, q + 1);
        }
      }
      if (quoted) return stop(i);
      this.line++;
      this.recordLine = this.line;
      i = lf + 1;
    }
    return stop(i);
  }

  /** Byte by byte from `from`; with fastLines, returns once a record has ended. */
  private scan(chunk: Uint8Array, from: number): number {
    const { quote, special } = this;
    const { maxColumns, maxCellBytes } = this.limits;
    let { state, line, fields, cell, prevCR } = this;
    const len = chunk.length;
    let i = from;
    while (i < len) {
      // A run of ordinary bytes: only its length matters.
      let j = i;
      while (j < len && special[chunk[j]!] === 0) j++;
      if (j > i) {
        if (state !== QUOTED) state = UNQUOTED;
        cell += j - i;
        prevCR = false;
        if (cell > maxCellBytes) this.fail(fields, 'cell');
        if (j === len) {
          i = len;
          break;
        }
      }
      const c = chunk[j]!;
      i = j + 1;
      if (c === LF || c === CR) {
        if (!(c === LF && prevCR)) line++;
        prevCR = c === CR;
        if (state === QUOTED) {
          if (++cell > maxCellBytes) this.fail(fields, 'cell');
          continue;
        }
        // A record ends (a CRLF's LF or a blank line ends an empty one: no matter).
        fields = 1;
        cell = 0;
        state = FIELD_START;
        this.recordLine = line;
        if (this.fastLines) break;
        continue;
      }
      prevCR = false;
      if (c === quote) {
        if (state === QUOTED) state = QUOTE_IN_QUOTED;
        else if (state === FIELD_START) state = QUOTED;
        else {
          // A doubled quote stands for one; a stray quote in an unquoted field is text.
          state = state === QUOTE_IN_QUOTED ? QUOTED : UNQUOTED;
          if (++cell > maxCellBytes) this.fail(fields, 'cell');
        }
        continue;
      }
      // The delimiter.
      if (state === QUOTED) {
        if (++cell > maxCellBytes) this.fail(fields, 'cell');
        continue;
      }
      fields++;
      cell = 0;
      state = FIELD_START;
      if (fields > maxColumns) this.fail(fields, 'columns');
    }
    this.state = state;
    this.line = line;
    this.fields = fields;
    this.cell = cell;
    this.prevCR = prevCR;
    return i;
  }

  private fail(fields: number, what: 'cell' | 'columns'): never {
    const where = `line ${n(this.recordLine)}`;
    if (what === 'columns') throw tooManyColumns(undefined, this.limits.maxColumns, where, this.recordLine);
    throw cellTooLong(
      this.limits.maxCellBytes,
      where,
      this.columnName(fields - 1) ?? `#${fields}`,
      this.recordLine,
    );
  }
}

/**
 * Passes an upload through unchanged while checking CSV/TSV limits as the bytes arrive, so an
 * over-limit file is refused before its body is read in full. It sniffs encoding and dialect
 * from the first MiB, as the importer does, unless the upload names them; files it cannot judge
 * that way (not UTF-8, a non-ASCII delimiter, a sniff error the importer will report) pass and
 * are checked after loading.
 */
export class CsvLimitWatch extends Transform {
  private sample: Buffer[] = [];
  private sampled = 0;
  private scanner: CsvLimitScanner | undefined;
  private decided = false;
  /** The stream was judged while it arrived (no check after loading needed). */
  checked = false;

  constructor(
    private readonly format: InputFormat,
    private readonly limits: UploadLimits,
    /** What the upload says about the file (overrides sniffing, as for the importer). */
    private readonly given: Pick<ImportOptions, 'delimiter' | 'encoding' | 'header'> = {},
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      if (!this.decided) {
        this.sample.push(chunk);
        this.sampled += chunk.length;
        if (this.sampled >= CSV_SAMPLE_BYTES) this.decide(false);
      } else this.scanner?.push(chunk);
      done(null, chunk);
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.decided) this.decide(true);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  private decide(whole: boolean): void {
    this.decided = true;
    const bytes = Buffer.concat(this.sample);
    this.sample = [];
    const head = bytes.subarray(0, CSV_SAMPLE_BYTES);
    let scanner: CsvLimitScanner;
    let bom = 0;
    try {
      // The importer's own plan: the same encoding, delimiter, quote and names (an error: the importer's).
      // A first record longer than the sample has no names yet: the scan reads on without them.
      const p = sniffCsv(head, whole && bytes.length <= CSV_SAMPLE_BYTES, 'the upload', {
        ...this.given,
        format: this.format,
      });
      if (p.encoding !== 'utf-8') return;
      const quote = p.quote ?? '"';
      if (p.delimiter.charCodeAt(0) > 0x7f || quote.charCodeAt(0) > 0x7f) return;
      const names =
        p.header && p.first !== undefined ? repairHeaderNames(p.first, CASE_INSENSITIVE_NAMES) : undefined;
      bom = p.bomLength;
      scanner = new CsvLimitScanner(
        p.delimiter.charCodeAt(0),
        quote.charCodeAt(0),
        this.limits,
        (i) => names?.[i],
      );
      this.checked = true;
      this.scanner = scanner;
    } catch {
      // Empty, binary or undecodable: the importer says so, naming the problem.
      return;
    }
    scanner.push(bytes.subarray(bom));
  }
}

/**
 * The same limits over a loaded table (xlsx, JSON, Parquet, or CSV the stream watch could not
 * judge), before the dataset becomes visible: columns, then the longest text cell per column.
 */
export async function checkLoaded(
  engine: NodeEngine,
  data: LoadedDataset,
  limits: UploadLimits,
  /** What a row was in the source, for the message: a record of JSON, a row of a sheet after its header. */
  source: 'records' | 'rows after a header' | 'rows' = 'rows',
): Promise<void> {
  if (data.columns.length > limits.maxColumns)
    throw tooManyColumns(data.columns.length, limits.maxColumns, 'the file');
  // A JSON key, a Parquet field or a header cell becomes a column name: it is a cell too. The
  // names are repaired ones: a repeat at the limit gains a suffix (`_2`), which is not refused.
  const SUFFIX = 12;
  const longName = data.columns.findIndex((c) => Buffer.byteLength(c.name) > limits.maxCellBytes + SUFFIX);
  if (longName >= 0)
    throw cellTooLong(limits.maxCellBytes, `the name of column ${n(longName + 1)}`, undefined);
  const text = data.columns.filter((c) => c.type === 'text');
  if (text.length === 0 || data.rowCount === 0) return;
  const r = await engine.connection.runAndReadAll(
    select({
      kind: 'select',
      columns: text.map((c, i) => ({ expr: call('max', call('strlen', col(c.name))), as: `m${i}` })),
      from: { kind: 'table', name: data.table },
    }),
  );
  const longest = r.getRowsJson()[0]!.map((v) => Number(v ?? 0));
  const i = longest.findIndex((m) => m > limits.maxCellBytes);
  if (i < 0) return;
  const column = text[i]!.name;
  const row = await engine.connection.runAndReadAll(
    select({
      kind: 'select',
      columns: [{ expr: col('rowid') }],
      from: { kind: 'table', name: data.table },
      where: bin('>', call('strlen', col(column)), lit(limits.maxCellBytes)),
      orderBy: [{ expr: col('rowid') }],
      limit: 1,
    }),
  );
  const at = Number(row.getRowsJson()[0]![0]) + 1;
  const where =
    source === 'records'
      ? `record ${n(at)}`
      : source === 'rows after a header'
        ? // Counted in the data: a sheet's own row numbers include its header.
          `data row ${n(at)} (not counting the header)`
        : `row ${n(at)}`;
  throw cellTooLong(limits.maxCellBytes, where, column);
}
