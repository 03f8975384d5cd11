import { TidyvaultError } from '../errors.js';
import { guardText } from './formula-guard.js';

/*
 * A one-sheet xlsx as its parts' text, without the zip: the pure half of engine-node's
 * xlsx/write-xlsx.ts (same parts, same cells, byte for byte), for engine-wasm, whose zip
 * writer deflates in the browser. The header row holds the column names, dates are real dates
 * (yyyy-mm-dd), strings are never formulas.
 */

export type XlsxColumnType = 'text' | 'number' | 'integer' | 'date';
export type XlsxCell = string | number | bigint | null;

export interface XlsxColumn {
  name: string;
  type: XlsxColumnType;
}

export const XLSX_MAX_COLUMNS = 16_384;
export const XLSX_MAX_ROWS = 1_048_576;
/** The most characters an Excel cell holds (Excel repairs, and cuts, a file with more). */
export const XLSX_MAX_CELL_CHARS = 32_767;
const BATCH_CHARS = 64 * 1024;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
const SHEET_PART = 'xl/worksheets/sheet1.xml';
const DATE_STYLE = 1;

const CONTENT_TYPES =
  XML_HEAD +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  `<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>` +
  `<Override PartName="/${SHEET_PART}" ContentType="${CT}.worksheet+xml"/>` +
  `<Override PartName="/xl/styles.xml" ContentType="${CT}.styles+xml"/>` +
  '</Types>';

const ROOT_RELS =
  XML_HEAD +
  `<Relationships xmlns="${PKG_REL_NS}">` +
  `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
  '</Relationships>';

const WORKBOOK_RELS =
  XML_HEAD +
  `<Relationships xmlns="${PKG_REL_NS}">` +
  `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
  `<Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/>` +
  '</Relationships>';

const STYLES =
  XML_HEAD +
  `<styleSheet xmlns="${MAIN_NS}">` +
  '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>' +
  '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

const SHEET_END = '</sheetData></worksheet>';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

/**
 * OOXML strings carry characters XML cannot (controls) and CR (which XML parsers turn into LF)
 * as `_xHHHH_`; a literal `_xHHHH_` is written with its underscore escaped as `_x005F_`.
 */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\r\x0e-\x1f\ufffe\uffff]/g;

export function encodeOoxmlText(s: string): string {
  return s.replace(NEEDS_ESCAPE, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
}

const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1899, 11, 30);
/** The first serial of 1900 after Excel's phantom 1900-02-29 (serial 60, a Lotus 1-2-3 leap-year bug). */
const FIRST_SERIAL_AFTER_BUG = 61;

/** Days since 1899-12-30 as Excel counts them in the 1900 system; undefined before 1900-01-01. */
export function dateToSerial(year: number, month: number, day: number): number | undefined {
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    return undefined;
  if (year < 1900 || year > 9999) return undefined;
  const serial = (ms - EPOCH_1900) / DAY_MS;
  return serial < FIRST_SERIAL_AFTER_BUG ? serial - 1 : serial;
}

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

function workbookXml(sheetName: string): string {
  return (
    XML_HEAD +
    `<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    `<sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets>` +
    '</workbook>'
  );
}

/** Everything before the first row; date columns are widened so Excel does not show ####. */
function sheetStart(dateColumns: number[]): string {
  const cols = dateColumns
    .map((i) => `<col min="${i + 1}" max="${i + 1}" width="11" customWidth="1"/>`)
    .join('');
  return (
    XML_HEAD +
    `<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    (cols ? `<cols>${cols}</cols>` : '') +
    '<sheetData>'
  );
}

/** A text cell Excel cannot hold: refused, rather than a file Excel repairs by cutting it. */
function tooLong(cell: string, column: XlsxColumn, rowNumber: number, guard: boolean): void {
  const text = column.type === 'text' && guard ? guardText(cell) : cell;
  if (text.length <= XLSX_MAX_CELL_CHARS) return;
  const row = rowNumber - 1;
  throw new TidyvaultError(
    'EXPORT',
    `row ${row}, column "${column.name}": ${text.length} characters, more than the ${XLSX_MAX_CELL_CHARS} an Excel cell holds; export to CSV or Parquet instead`,
    { row, column: column.name },
  );
}

async function* sheetXml(
  columns: readonly XlsxColumn[],
  rows: AsyncIterable<readonly XlsxCell[]>,
  guard: boolean,
): AsyncGenerator<string> {
  const letters = columns.map((_, i) => columnLetters(i));
  const dateColumns = columns.flatMap((c, i) => (c.type === 'date' ? [i] : []));
  const header = columns.map((c, i) => cellXml(`${letters[i]}1`, 'text', c.name, guard)).join('');
  let xml = sheetStart(dateColumns) + (header ? `<row r="1">${header}</row>` : '');
  let rowNumber = 1;
  for await (const row of rows) {
    if (++rowNumber > XLSX_MAX_ROWS) {
      throw new TidyvaultError(
        'EXPORT',
        `an xlsx sheet holds at most ${XLSX_MAX_ROWS - 1} data rows; export to CSV or Parquet instead`,
      );
    }
    let cells = '';
    for (let i = 0; i < columns.length; i++) {
      const cell = row[i] ?? null;
      if (typeof cell === 'string' && cell.length + 1 > XLSX_MAX_CELL_CHARS)
        tooLong(cell, columns[i]!, rowNumber, guard);
      cells += cellXml(`${letters[i]}${rowNumber}`, columns[i]!.type, cell, guard);
    }
    // A row of NULLs is still a row: a bare element keeps it (readers of this file count it).
    xml += cells ? `<row r="${rowNumber}">${cells}</row>` : `<row r="${rowNumber}"/>`;
    if (xml.length >= BATCH_CHARS) {
      yield xml;
      xml = '';
    }
  }
  yield xml + SHEET_END;
}

export interface XlsxPart {
  /** The part's name in the zip. */
  name: string;
  /** Its text, in pieces (the sheet is produced as the rows arrive). */
  text: AsyncIterable<string> | Iterable<string>;
}

/**
 * The parts of a one-sheet workbook in zip order, as engine-node writes them. `formulaGuard`
 * prefixes text cells that start like a formula (= + - @ TAB CR) with `'`; `sheetName` defaults
 * to `Data` (characters Excel forbids are replaced).
 */
export function xlsxParts(
  columns: readonly XlsxColumn[],
  rows: AsyncIterable<readonly XlsxCell[]>,
  options: { formulaGuard: boolean; sheetName?: string },
): XlsxPart[] {
  if (columns.length > XLSX_MAX_COLUMNS) {
    throw new TidyvaultError(
      'EXPORT',
      `an xlsx sheet holds at most ${XLSX_MAX_COLUMNS} columns; this export has ${columns.length}`,
    );
  }
  return [
    { name: '[Content_Types].xml', text: [CONTENT_TYPES] },
    { name: '_rels/.rels', text: [ROOT_RELS] },
    { name: 'xl/workbook.xml', text: [workbookXml(safeSheetName(options.sheetName))] },
    { name: 'xl/_rels/workbook.xml.rels', text: [WORKBOOK_RELS] },
    { name: 'xl/styles.xml', text: [STYLES] },
    { name: SHEET_PART, text: sheetXml(columns, rows, options.formulaGuard) },
  ];
}
