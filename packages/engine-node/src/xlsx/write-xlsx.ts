import { guardText } from '@tidyvault/core';
import { dateToSerial } from './excel-dates.js';
import { encodeOoxmlText, escapeXml } from './ooxml-text.js';
import {
  CONTENT_TYPES,
  DATE_STYLE,
  ROOT_RELS,
  SHEET_END,
  SHEET_PART,
  sheetStart,
  STYLES,
  WORKBOOK_RELS,
  workbookXml,
} from './xlsx-package-parts.js';
import { XlsxError } from './xlsx-error.js';
import { ZipFileWriter } from './zip-writer.js';

export type XlsxColumnType = 'text' | 'number' | 'integer' | 'date';
export type XlsxCell = string | number | bigint | null;

export interface XlsxColumn {
  name: string;
  type: XlsxColumnType;
}

export interface WriteXlsxOptions {
  /** Prefix text cells that start like a formula (= + - @ TAB CR) with `'`. */
  formulaGuard: boolean;
  /** Default `Data`; characters Excel forbids in sheet names are replaced. */
  sheetName?: string;
}

const MAX_COLUMNS = 16_384;
const MAX_ROWS = 1_048_576;
const BATCH_CHARS = 64 * 1024;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

export function safeSheetName(name: string | undefined): string {
  const cleaned = Array.from((name ?? 'Data').replace(/[[\]:*?/\\]/g, '_').replace(/^'+|'+$/g, ''))
    .slice(0, 31)
    .join('');
  if (cleaned === '') return 'Data';
  return cleaned.toLowerCase() === 'history' ? `${cleaned}_` : cleaned;
}

/** `sign digits e exponent` with leading and trailing zeros gone, to compare two decimal spellings. */
function canonicalDecimal(s: string): string | undefined {
  const m = DECIMAL.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  let digits = m[2]! + (m[3] ?? '');
  let point = m[2]!.length + Number(m[4] ?? 0);
  const leading = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leading).replace(/0+$/, '');
  point -= leading;
  return digits === '' ? '0' : `${m[1] === '-' ? '-' : ''}${digits}e${point}`;
}

/** A number only when it is exactly the value given (a DECIMAL's text with more digits than a double stays text). */
function exactNumber(v: Exclude<XlsxCell, null>): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : undefined;
  const n = Number(v.trim());
  const canonical = canonicalDecimal(v.trim());
  return canonical !== undefined && Number.isFinite(n) && canonical === canonicalDecimal(String(n))
    ? n
    : undefined;
}

function textCell(ref: string, s: string): string {
  const space = /^\s|\s$/.test(s) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}" t="inlineStr"><is><t${space}>${escapeXml(encodeOoxmlText(s))}</t></is></c>`;
}

function numberCell(ref: string, v: Exclude<XlsxCell, null>): string {
  const n = exactNumber(v);
  return n === undefined ? textCell(ref, String(v)) : `<c r="${ref}"><v>${n}</v></c>`;
}

function dateCell(ref: string, v: Exclude<XlsxCell, null>): string {
  const m = typeof v === 'string' ? ISO_DATE.exec(v) : null;
  const serial = m ? dateToSerial(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  if (serial !== undefined) return `<c r="${ref}" s="${DATE_STYLE}"><v>${serial}</v></c>`;
  return typeof v === 'string' ? textCell(ref, v) : numberCell(ref, v);
}

function cellXml(ref: string, type: XlsxColumnType, v: XlsxCell, guard: boolean): string {
  if (v === null) return '';
  switch (type) {
    case 'text':
      return textCell(ref, typeof v === 'string' && guard ? guardText(v) : String(v));
    case 'date':
      return dateCell(ref, v);
    default:
      return numberCell(ref, v);
  }
}

async function* sheetXml(
  columns: XlsxColumn[],
  rows: AsyncIterable<XlsxCell[]>,
  guard: boolean,
): AsyncGenerator<Buffer> {
  const letters = columns.map((_, i) => columnLetters(i));
  const dateColumns = columns.flatMap((c, i) => (c.type === 'date' ? [i] : []));
  const header = columns.map((c, i) => cellXml(`${letters[i]}1`, 'text', c.name, guard)).join('');
  let xml = sheetStart(dateColumns) + (header ? `<row r="1">${header}</row>` : '');
  let rowNumber = 1;
  for await (const row of rows) {
    if (++rowNumber > MAX_ROWS) {
      throw new XlsxError(
        'XLSX_LIMIT',
        `an xlsx sheet holds at most ${MAX_ROWS - 1} data rows; export to CSV or Parquet instead`,
      );
    }
    let cells = '';
    for (let i = 0; i < columns.length; i++) {
      cells += cellXml(`${letters[i]}${rowNumber}`, columns[i]!.type, row[i] ?? null, guard);
    }
    if (cells) xml += `<row r="${rowNumber}">${cells}</row>`;
    if (xml.length >= BATCH_CHARS) {
      yield Buffer.from(xml, 'utf8');
      xml = '';
    }
  }
  yield Buffer.from(xml + SHEET_END, 'utf8');
}

/**
 * Streams rows into a one-sheet xlsx: the header row holds the column names, dates are real
 * dates (yyyy-mm-dd), strings are never formulas. A failed write leaves no file behind.
 */
export async function writeXlsx(
  path: string,
  columns: XlsxColumn[],
  rows: AsyncIterable<XlsxCell[]>,
  options: WriteXlsxOptions,
): Promise<void> {
  if (columns.length > MAX_COLUMNS) {
    throw new XlsxError(
      'XLSX_LIMIT',
      `an xlsx sheet holds at most ${MAX_COLUMNS} columns; this export has ${columns.length}`,
    );
  }
  const zip = await ZipFileWriter.create(path);
  try {
    await zip.add('[Content_Types].xml', [Buffer.from(CONTENT_TYPES)]);
    await zip.add('_rels/.rels', [Buffer.from(ROOT_RELS)]);
    await zip.add('xl/workbook.xml', [Buffer.from(workbookXml(safeSheetName(options.sheetName)))]);
    await zip.add('xl/_rels/workbook.xml.rels', [Buffer.from(WORKBOOK_RELS)]);
    await zip.add('xl/styles.xml', [Buffer.from(STYLES)]);
    await zip.add(SHEET_PART, sheetXml(columns, rows, options.formulaGuard));
    await zip.finish();
  } catch (e) {
    await zip.abort();
    throw e;
  }
}
