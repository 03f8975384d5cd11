import fs from 'node:fs';
import {
  autoColumnNames,
  CASE_INSENSITIVE_NAMES,
  csvReadErrorText,
  CSV_SAMPLE_BYTES,
  findUtf8Break,
  mixedEncodingError,
  planCsv,
  readCsvCall,
  sniffFailure,
  strayQuoteText,
  tooManyFieldsText,
  TidyvaultError,
  type Column,
  type CsvPlan,
  type CsvRetry,
  csvReadWarnings,
} from '@tidyvault/core';
import { hasOddQuoteCount } from '../csv/quote-parity.js';
import { scanCsvFile } from '../csv/scan-file.js';
import { transcodeToUtf8 } from '../csv/transcode.js';
import { countPaddedRows, createTableFrom, dropTable, rowCount } from './create-table.js';
import type { ImportContext, ImportOptions, ImportResult } from './types.js';

const SAMPLE_BYTES = CSV_SAMPLE_BYTES;

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

type Plan = CsvPlan & { path: string };

async function plan(file: string, ctx: ImportContext, o: ImportOptions, retry: CsvRetry = {}): Promise<Plan> {
  const { sample, whole } = readSample(file);
  const p = planCsv(sample, whole, ctx.displayName, o, retry);
  if (!p.rewrite) return { ...p, path: file };
  const path = ctx.staging.file('.csv');
  try {
    await transcodeToUtf8(file, path, {
      encoding: p.encoding,
      bomLength: p.bomLength,
      normalizeNewlines: p.normalizeNewlines,
      delimiter: p.delimiter,
      quote: p.quote,
    });
  } catch (e) {
    sniffFailure(e, ctx.displayName);
  }
  return { ...p, path };
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
            CASE_INSENSITIVE_NAMES,
          ),
        ];
      }
    }
    let pad = false;
    const create = async () => {
      try {
        await createTableFrom(
          ctx.connection,
          ctx.table,
          readCsvCall(p.path, p, names, pad, fs.statSync(p.path).size),
        );
      } catch (e) {
        const m = /Expected Number of Columns: (\d+) Found: (\d+)/.exec((e as Error).message);
        if (pad || !m || Number(m[2]) >= Number(m[1])) throw e;
        pad = true;
        await dropTable(ctx.connection, ctx.table);
        await createTableFrom(
          ctx.connection,
          ctx.table,
          readCsvCall(p.path, p, names, pad, fs.statSync(p.path).size),
        );
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
        if (p.rewrite) fs.rmSync(p.path, { force: true });
        p = await plan(file, ctx, o, { encoding, normalizeNewlines: normalise });
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
        await retry('windows-1252', p.normalizeNewlines);
      } else if (!p.normalizeNewlines && (await hasLoneCarriageReturns(p))) {
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
    const warnings = csvReadWarnings(p, { names, padded, notUtf8Line });
    const columns: Column[] = names.map((name) => ({ name, type: 'text' }));
    return { columns, rowCount: rows, warnings };
  } finally {
    if (p.rewrite) fs.rmSync(p.path, { force: true });
  }
}
