import { xlsxParts, type XlsxCell, type XlsxColumn } from '@tidyvault/core';
import { ZipFileWriter } from './zip-writer.js';

// The parts and cells are core's (export/xlsx-sheet.ts), shared with engine-wasm; this file
// only zips them to disk.
export {
  columnLetters,
  safeSheetName,
  type XlsxCell,
  type XlsxColumn,
  type XlsxColumnType,
} from '@tidyvault/core';

export interface WriteXlsxOptions {
  /** Prefix text cells that start like a formula (= + - @ TAB CR) with `'`. */
  formulaGuard: boolean;
  /** Default `Data`; characters Excel forbids in sheet names are replaced. */
  sheetName?: string;
}

async function* utf8(text: AsyncIterable<string> | Iterable<string>): AsyncGenerator<Buffer> {
  for await (const piece of text) yield Buffer.from(piece, 'utf8');
}

/**
 * Streams rows into a one-sheet xlsx: the header row holds the column names, dates are real
 * dates (yyyy-mm-dd), strings are never formulas. A failed write leaves no file behind; a sheet
 * over Excel's limits is a TidyvaultError (EXPORT).
 */
export async function writeXlsx(
  path: string,
  columns: XlsxColumn[],
  rows: AsyncIterable<XlsxCell[]>,
  options: WriteXlsxOptions,
): Promise<void> {
  const parts = xlsxParts(columns, rows, options);
  const zip = await ZipFileWriter.create(path);
  try {
    for (const part of parts) await zip.add(part.name, utf8(part.text));
    await zip.finish();
  } catch (e) {
    await zip.abort();
    throw e;
  }
}
