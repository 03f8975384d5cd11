import {
  autoColumnNames,
  CASE_INSENSITIVE_NAMES,
  createByteValidator,
  createChunkDecoder,
  CsvScanner,
  csvReadErrorText,
  CSV_SAMPLE_BYTES,
  findUtf8Break,
  ImportSniffError,
  mixedEncodingError,
  NewlineNormalizer,
  planCsv,
  readCsvCall,
  sniffFailure,
  strayQuoteText,
  tooManyFieldsText,
  TextDecodeError,
  TidyvaultError,
  undecodableBytesError,
  type Column,
  type CsvPlan,
  type CsvRetry,
  type CsvScanReport,
  type TextEncodingName,
  csvReadWarnings,
} from '@tidyvault/core';
import { col, isNull, select, statement, type Expr, type From, type Select } from '@tidyvault/sql';
import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';
import type { Connection } from '../connection.js';
import { BytesInput, type CsvInput } from './input.js';

/*
 * The same rules as engine-node's import/csv.ts (read it first), over bytes in memory instead of
 * files: core's sniffers pick encoding, dialect and header; names are repaired (duplicates
 * compared case-insensitively, as DuckDB does); every column is VARCHAR; empty fields stay '';
 * short rows are padded with NULL and counted in a warning; a row with too many fields is an
 * error naming its line. A file that is not plain UTF-8 with LF or CRLF line ends is transcoded
 * in memory (never to a file) and the copy registered instead.
 */

const SAMPLE_BYTES = CSV_SAMPLE_BYTES;

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface CsvImportOptions {
  format?: 'csv' | 'tsv';
  /** `extend`: rows with too many fields add auto-named columns instead of failing. */
  ragged?: 'error' | 'extend';
  /** Overrides when sniffing is unsure. */
  delimiter?: string;
  header?: boolean;
  encoding?: Encoding;
}

export interface CsvImportContext {
  db: AsyncDuckDB;
  connection: Connection;
  /** The table to create (columns as text, in the file's row order). */
  table: string;
  /** How the file is named in messages. */
  displayName: string;
  /** A new name for a file registered with DuckDB. */
  fileName: () => string;
}

export interface CsvImportResult {
  columns: Column[];
  rowCount: number;
  warnings: string[];
}

/** A plan, and what DuckDB reads: the input itself, or its UTF-8 rewrite, registered as `path`. */
type Plan = CsvPlan & { path: string; file: CsvInput };

/** The files registered with DuckDB for one import: all are dropped when it ends. */
interface Registered {
  /** The input itself (registered once, read again by a retry that needs no transcoding). */
  input?: string;
  /** The current transcoding (a retry replaces it). */
  transcoded?: string;
}

async function invalidBytesError(
  input: CsvInput,
  encoding: TextEncodingName,
  bomLength: number,
  near: number,
): Promise<ImportSniffError> {
  const validator = createByteValidator(encoding, bomLength);
  let at = undefined;
  for await (const chunk of input.chunks(bomLength)) {
    at = validator.push(chunk);
    if (at) break;
  }
  at ??= validator.finish();
  return undecodableBytesError(encoding, at, near);
}

/** The input as UTF-8 without a byte-order mark (and, if asked, LF line ends), in memory. */
async function transcodeToUtf8(
  input: CsvInput,
  o: {
    encoding: Encoding;
    bomLength: number;
    normalizeNewlines: boolean;
    delimiter: string;
    quote: string | null;
  },
): Promise<Uint8Array> {
  const decoder = createChunkDecoder(o.encoding, { fatal: true });
  const normalizer = o.normalizeNewlines
    ? new NewlineNormalizer({ delimiter: o.delimiter, quote: o.quote })
    : undefined;
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let offset = o.bomLength;
  const add = async (step: () => string) => {
    let text: string;
    try {
      text = step();
      if (normalizer) text = normalizer.push(text);
    } catch (e) {
      if (e instanceof TextDecodeError) throw await invalidBytesError(input, o.encoding, o.bomLength, offset);
      throw e;
    }
    if (text.length > 0) parts.push(encoder.encode(text));
  };
  for await (const chunk of input.chunks(o.bomLength)) {
    await add(() => decoder.decode(chunk));
    offset += chunk.length;
  }
  await add(() => decoder.end());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts.splice(0)) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

async function plan(
  input: CsvInput,
  ctx: CsvImportContext,
  o: CsvImportOptions,
  files: Registered,
  retry: CsvRetry = {},
): Promise<Plan> {
  const sample = await input.head(SAMPLE_BYTES);
  const p = planCsv(sample, sample.byteLength < SAMPLE_BYTES, ctx.displayName, o, retry);
  if (p.rewrite) {
    let utf8: Uint8Array;
    try {
      utf8 = await transcodeToUtf8(input, p);
    } catch (e) {
      sniffFailure(e, ctx.displayName);
    }
    const file = new BytesInput(utf8);
    const path = ctx.fileName();
    await file.register(ctx.db, path);
    files.transcoded = path;
    return { ...p, path, file };
  }
  if (files.input === undefined) {
    const name = ctx.fileName();
    await input.register(ctx.db, name);
    files.input = name;
  }
  return { ...p, path: files.input, file: input };
}

async function scan(p: Plan, expectedFields?: number): Promise<CsvScanReport> {
  const decoder = createChunkDecoder('utf-8', { fatal: false });
  const scanner = new CsvScanner({
    delimiter: p.delimiter,
    quote: p.quote,
    ...(expectedFields === undefined ? {} : { expectedFields }),
  });
  for await (const chunk of p.file.chunks()) scanner.push(decoder.decode(chunk));
  scanner.push(decoder.end());
  return scanner.finish();
}

/** True when the file holds an odd number of quote bytes: some quoted field is never closed. */
async function hasOddQuoteCount(p: Plan, quote: string): Promise<boolean> {
  const byte = quote.charCodeAt(0);
  let odd = false;
  for await (const chunk of p.file.chunks()) {
    for (let i = chunk.indexOf(byte); i !== -1; i = chunk.indexOf(byte, i + 1)) odd = !odd;
  }
  return odd;
}

async function explain(
  p: Plan,
  ctx: CsvImportContext,
  width: number,
  duckdbMessage: string,
): Promise<TidyvaultError> {
  const report = await scan(p, width);
  const file = ctx.displayName;
  if (report.unterminatedQuote) {
    const line = report.unterminatedQuote.line;
    return new TidyvaultError(
      'IMPORT_FORMAT',
      `${file}: line ${line}: a quoted field starts here and is never closed`,
      {
        file,
        line,
      },
    );
  }
  if (report.firstLongRecord) {
    const { line, fields } = report.firstLongRecord;
    return new TidyvaultError(
      'IMPORT_RAGGED',
      tooManyFieldsText(file, line, fields, width, p.guessedDelimiter),
      { file, line },
    );
  }
  if (report.strayQuote) {
    const { line, kind } = report.strayQuote;
    return new TidyvaultError('IMPORT_FORMAT', strayQuoteText(file, line, kind), { file, line });
  }
  const { line, cause } = csvReadErrorText(duckdbMessage);
  return new TidyvaultError(
    'IMPORT_FORMAT',
    `${file}${line !== undefined ? `: line ${line}` : ''}: cannot read as CSV: ${cause}`,
    { file, ...(line !== undefined ? { line } : {}) },
  );
}

const isEncodingError = (m: string) => /unicode|utf-?8|byte sequence/i.test(m);

async function createTableFrom(connection: Connection, table: string, from: From): Promise<void> {
  const query: Select = { kind: 'select', star: {}, columns: [], from };
  await connection.run(statement({ kind: 'createTable', name: table, query }));
}

export async function dropTable(connection: Connection, table: string): Promise<void> {
  await connection.run(statement({ kind: 'dropTable', name: table, ifExists: true }));
}

/** Rows of `table` (that `where` selects). */
export async function count(connection: Connection, table: string, where?: Expr): Promise<number> {
  const r = await connection.query(
    select({
      kind: 'select',
      columns: [{ expr: { kind: 'countStar' }, as: 'n' }],
      from: { kind: 'table', name: table },
      ...(where ? { where } : {}),
    }),
  );
  return Number(r.get(0)?.['n'] ?? 0);
}

export async function importCsv(
  input: CsvInput,
  ctx: CsvImportContext,
  o: CsvImportOptions = {},
): Promise<CsvImportResult> {
  const files: Registered = {};
  const forget = async (name: string | undefined) => {
    // Best effort: a failure to release must not hide the import's own error.
    if (name !== undefined) await ctx.db.dropFile(name).catch(() => undefined);
  };
  try {
    let p = await plan(input, ctx, o, files);
    let names = p.names;
    if (o.ragged === 'extend') {
      const report = await scan(p, names.length);
      if (report.maxFields > names.length) {
        names = [
          ...names,
          ...autoColumnNames(
            names.length + 1,
            report.maxFields - names.length,
            new Set(names),
            CASE_INSENSITIVE_NAMES,
          ),
        ];
      }
    }
    let pad = false;
    const create = async () => {
      try {
        await createTableFrom(ctx.connection, ctx.table, readCsvCall(p.path, p, names, pad, p.file.size));
      } catch (e) {
        const m = /Expected Number of Columns: (\d+) Found: (\d+)/.exec((e as Error).message);
        if (pad || !m || Number(m[2]) >= Number(m[1])) throw e;
        pad = true;
        await dropTable(ctx.connection, ctx.table);
        await createTableFrom(ctx.connection, ctx.table, readCsvCall(p.path, p, names, pad, p.file.size));
      }
      // The parallel reader rejects a quote left open; the serial one reads it to the end of the file.
      if (pad && p.quote !== null && (await hasOddQuoteCount(p, p.quote)))
        throw await explain(p, ctx, names.length, 'a quoted field is never closed');
    };
    /** Where the file stopped being UTF-8, when it was read as Windows-1252 for that. */
    let notUtf8Line: number | undefined;
    try {
      await create();
    } catch (e) {
      await dropTable(ctx.connection, ctx.table);
      if (e instanceof TidyvaultError) throw e;
      const message = (e as Error).message;
      const retry = async (encoding: Encoding | undefined, normalise: boolean) => {
        await forget(files.transcoded);
        files.transcoded = undefined;
        p = await plan(input, ctx, o, files, { encoding, normalizeNewlines: normalise });
        await create().catch(async (e2: Error) => {
          await dropTable(ctx.connection, ctx.table);
          if (e2 instanceof TidyvaultError) throw e2;
          throw await explain(p, ctx, names.length, e2.message);
        });
      };
      if (p.encoding === 'utf-8' && isEncodingError(message) && !o.encoding) {
        // Past the sample, a byte that is not UTF-8: Windows-1252 unless UTF-8 text came before.
        const broken = await findUtf8Break(p.file.chunks(p.bomLength), p.bomLength);
        if (broken.invalid && broken.multiByteBefore)
          sniffFailure(mixedEncodingError(broken.invalid), ctx.displayName);
        notUtf8Line = broken.invalid?.line;
        await retry('windows-1252', p.normalizeNewlines);
      } else if (!p.normalizeNewlines && (await scan(p)).lineEndings.cr > 0) {
        // The sample looked uniform; a lone CR further on ends lines DuckDB does not see.
        await retry(undefined, true);
      } else {
        throw await explain(p, ctx, names.length, message);
      }
    }
    const rows = await count(ctx.connection, ctx.table);
    const padded =
      pad && names.length > 1
        ? await count(ctx.connection, ctx.table, isNull(col(names[names.length - 1]!)))
        : 0;
    const warnings = csvReadWarnings(p, { names, padded, notUtf8Line });
    const columns: Column[] = names.map((name) => ({ name, type: 'text' }));
    return { columns, rowCount: rows, warnings };
  } finally {
    // The table holds the data now: the registered bytes are released.
    await forget(files.transcoded);
    await forget(files.input);
  }
}
