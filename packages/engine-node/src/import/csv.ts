import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import {
  autoColumnNames,
  decodeSample,
  findUtf8Break,
  firstRecord,
  leadingBlankLines,
  ImportSniffError,
  mixedEncodingError,
  repairHeaderNames,
  sniffDialect,
  chooseEncoding,
  csvReadErrorText,
  CSV_BUFFER_BYTES,
  CSV_MAX_LINE_BYTES,
  tooManyFieldsText,
  TidyvaultError,
  type Column,
} from '@tidyvault/core';
import { lit, type Expr, type From } from '@tidyvault/sql';
import { hasOddQuoteCount } from '../csv/quote-parity.js';
import { scanCsvFile } from '../csv/scan-file.js';
import { transcodeToUtf8 } from '../csv/transcode.js';
import { countPaddedRows, createTableFrom, dropTable, rowCount } from './create-table.js';
import type { ImportContext, ImportOptions, ImportResult } from './types.js';

const SAMPLE_BYTES = 1 << 20;
/** Empty fields must stay '' (not NULL); only padding makes NULL. DuckDB needs some null string: one no file holds. */
const NEVER_NULL = '\u0001tidyvault-no-null-' + randomBytes(12).toString('hex');

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

function readSample(file: string): { sample: Uint8Array; whole: boolean } {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const n = fs.readSync(fd, buf, 0, SAMPLE_BYTES, 0);
    return { sample: buf.subarray(0, n), whole: n < SAMPLE_BYTES };
  } finally {
    fs.closeSync(fd);
  }
}

function sniffFailure(e: unknown, file: string): never {
  if (e instanceof ImportSniffError) {
    const code =
      e.code === 'EMPTY' ? 'IMPORT_EMPTY' : e.code === 'BINARY' ? 'IMPORT_BINARY' : 'IMPORT_ENCODING';
    throw new TidyvaultError(code, `${file}: ${e.message}`, { file, ...(e.line ? { line: e.line } : {}) });
  }
  throw e;
}

interface Plan {
  path: string;
  encoding: Encoding;
  bomLength: number;
  delimiter: string;
  quote: string | null;
  header: boolean;
  names: string[];
  transcoded: boolean;
  newlinesNormalised: boolean;
  /** Empty lines before the header, for DuckDB to pass over. */
  skip: number;
  /** The delimiter, when the sniffer was unsure of it and nobody named one. */
  guessedDelimiter?: string;
}

const CASE_INSENSITIVE = { caseInsensitive: true } as const;

async function plan(
  file: string,
  ctx: ImportContext,
  o: ImportOptions,
  forceEncoding?: Encoding,
  forceNewlineNormalisation = false,
): Promise<Plan> {
  const { sample, whole } = readSample(file);
  let enc: { encoding: Encoding; bomLength: number };
  try {
    enc = chooseEncoding(sample, whole, o.encoding, forceEncoding);
  } catch (e) {
    sniffFailure(e, ctx.displayName);
  }
  // Empty lines before the header: DuckDB would take the first as the header, and the real one as data.
  const {
    lines: skip,
    rest: text,
    ending: skippedEnding,
  } = leadingBlankLines(decodeSample(sample, enc, whole));
  const dialect = sniffDialect(text);
  // RFC 4180 quoting unless the sample shows another quote character.
  const quote = dialect.quote ?? '"';
  const delimiter = o.delimiter ?? (o.format === 'tsv' ? '\t' : dialect.delimiter);
  const header = o.header ?? dialect.hasHeader;
  const first = firstRecord(text, delimiter, quote);
  if (first === undefined) {
    throw new TidyvaultError('IMPORT_FORMAT', `${ctx.displayName}: line 1: a quoted field is never closed`, {
      file: ctx.displayName,
      line: 1,
    });
  }
  // DuckDB matches column names case-insensitively, so "Name" and "name" must not both exist.
  const names = header
    ? repairHeaderNames(first, CASE_INSENSITIVE)
    : autoColumnNames(1, first.length, new Set(), CASE_INSENSITIVE);
  const normalizeNewlines =
    forceNewlineNormalisation ||
    dialect.lineEnding === 'cr' ||
    dialect.lineEnding === 'mixed' ||
    (skippedEnding !== undefined && skippedEnding !== dialect.lineEnding);
  const needsRewrite = enc.encoding !== 'utf-8' || enc.bomLength > 0 || normalizeNewlines;
  let path = file;
  if (needsRewrite) {
    path = ctx.staging.file('.csv');
    try {
      await transcodeToUtf8(file, path, {
        encoding: enc.encoding,
        bomLength: enc.bomLength,
        normalizeNewlines,
        delimiter,
        quote,
      });
    } catch (e) {
      sniffFailure(e, ctx.displayName);
    }
  }
  return {
    path,
    ...enc,
    delimiter,
    quote,
    header,
    names,
    transcoded: needsRewrite,
    skip,
    ...(o.delimiter === undefined && o.format !== 'tsv' && dialect.unsure.delimiter
      ? { guessedDelimiter: delimiter }
      : {}),
    newlinesNormalised: normalizeNewlines,
  };
}

function readCsv(p: Plan, names: string[], pad: boolean): From {
  const named: Record<string, Expr> = {
    auto_detect: lit(false),
    header: lit(p.header),
    ...(p.skip > 0 ? { skip: lit(p.skip) } : {}),
    delim: lit(p.delimiter),
    quote: lit(p.quote ?? ''),
    escape: lit(p.quote ?? ''),
    columns: { kind: 'struct', fields: names.map((name) => ({ name, value: lit('VARCHAR') })) },
    // DuckDB's parallel reader cannot pad short rows when fields hold newlines, so padding is
    // only switched on (with the serial reader) for files that turn out to have short rows.
    null_padding: lit(pad),
    parallel: lit(!pad),
    strict_mode: lit(true),
    nullstr: lit(NEVER_NULL),
    allow_quoted_nulls: lit(false),
    max_line_size: lit(CSV_MAX_LINE_BYTES),
    buffer_size: lit(CSV_BUFFER_BYTES),
  };
  return { kind: 'tableFunction', fn: 'read_csv', args: [lit(p.path)], named };
}

async function explain(
  p: Plan,
  ctx: ImportContext,
  width: number,
  duckdbMessage: string,
): Promise<TidyvaultError> {
  const report = await scanCsvFile(p.path, {
    encoding: 'utf-8',
    bomLength: 0,
    delimiter: p.delimiter,
    quote: p.quote,
    expectedFields: width,
  });
  const file = ctx.displayName;
  if (report.unterminatedQuote) {
    const line = report.unterminatedQuote.line;
    return new TidyvaultError(
      'IMPORT_FORMAT',
      `${file}: line ${line}: a quoted field starts here and is never closed`,
      { file, line },
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
    const line = report.strayQuote.line;
    return new TidyvaultError(
      'IMPORT_FORMAT',
      `${file}: line ${line}: a quote character inside an unquoted field`,
      { file, line },
    );
  }
  const { line, cause } = csvReadErrorText(duckdbMessage);
  return new TidyvaultError(
    'IMPORT_FORMAT',
    `${file}${line !== undefined ? `: line ${line}` : ''}: cannot read as CSV: ${cause}`,
    { file, ...(line !== undefined ? { line } : {}) },
  );
}

async function hasLoneCarriageReturns(p: Plan): Promise<boolean> {
  const report = await scanCsvFile(p.path, {
    encoding: 'utf-8',
    bomLength: 0,
    delimiter: p.delimiter,
    quote: p.quote,
  });
  return report.lineEndings.cr > 0;
}

const isEncodingError = (m: string) => /unicode|utf-?8|byte sequence/i.test(m);

export async function importCsv(
  file: string,
  ctx: ImportContext,
  o: ImportOptions = {},
): Promise<ImportResult> {
  let p = await plan(file, ctx, o);
  try {
    let names = p.names;
    if (o.ragged === 'extend') {
      const report = await scanCsvFile(p.path, {
        encoding: 'utf-8',
        bomLength: 0,
        delimiter: p.delimiter,
        quote: p.quote,
        expectedFields: names.length,
      });
      if (report.maxFields > names.length) {
        names = [
          ...names,
          ...autoColumnNames(
            names.length + 1,
            report.maxFields - names.length,
            new Set(names),
            CASE_INSENSITIVE,
          ),
        ];
      }
    }
    let pad = false;
    const create = async () => {
      try {
        await createTableFrom(ctx.connection, ctx.table, readCsv(p, names, pad));
      } catch (e) {
        const m = /Expected Number of Columns: (\d+) Found: (\d+)/.exec((e as Error).message);
        if (pad || !m || Number(m[2]) >= Number(m[1])) throw e;
        pad = true;
        await dropTable(ctx.connection, ctx.table);
        await createTableFrom(ctx.connection, ctx.table, readCsv(p, names, pad));
      }
      // The parallel reader rejects a quote left open; the serial one reads it to the end of the file.
      if (pad && p.quote !== null && (await hasOddQuoteCount(p.path, p.quote)))
        throw await explain(p, ctx, names.length, 'a quoted field is never closed');
    };
    /** Where the file stopped being UTF-8, when it was read as Windows-1252 for that. */
    let notUtf8Line: number | undefined;
    try {
      await create();
    } catch (e) {
      if (e instanceof TidyvaultError) {
        await dropTable(ctx.connection, ctx.table);
        throw e;
      }
      await dropTable(ctx.connection, ctx.table);
      const message = (e as Error).message;
      const retry = async (encoding: Encoding | undefined, normalise: boolean) => {
        if (p.transcoded) fs.rmSync(p.path, { force: true });
        p = await plan(file, ctx, o, encoding, normalise);
        await create().catch(async (e2: Error) => {
          await dropTable(ctx.connection, ctx.table);
          if (e2 instanceof TidyvaultError) throw e2;
          throw await explain(p, ctx, names.length, e2.message);
        });
      };
      if (p.encoding === 'utf-8' && isEncodingError(message) && !o.encoding) {
        // Past the sample, a byte that is not UTF-8: Windows-1252 unless UTF-8 text came before.
        const broken = await findUtf8Break(fs.createReadStream(p.path, { start: p.bomLength }), p.bomLength);
        if (broken.invalid && broken.multiByteBefore)
          sniffFailure(mixedEncodingError(broken.invalid), ctx.displayName);
        notUtf8Line = broken.invalid?.line;
        await retry('windows-1252', p.newlinesNormalised);
      } else if (!p.newlinesNormalised && (await hasLoneCarriageReturns(p))) {
        // The sample looked uniform; a lone CR further on ends lines DuckDB does not see.
        await retry(undefined, true);
      } else {
        throw await explain(p, ctx, names.length, message);
      }
    }
    const rows = await rowCount(ctx.connection, ctx.table);
    const padded =
      pad && names.length > 1
        ? await countPaddedRows(ctx.connection, ctx.table, names[names.length - 1]!)
        : 0;
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
    if (p.encoding !== 'utf-8')
      warnings.push(
        `read as ${p.encoding === 'windows-1252' ? 'Windows-1252' : p.encoding.toUpperCase()}` +
          (notUtf8Line === undefined ? '' : ` (line ${notUtf8Line} is not valid UTF-8)`),
      );
    const columns: Column[] = names.map((name) => ({ name, type: 'text' }));
    return { columns, rowCount: rows, warnings };
  } finally {
    if (p.transcoded) fs.rmSync(p.path, { force: true });
  }
}
