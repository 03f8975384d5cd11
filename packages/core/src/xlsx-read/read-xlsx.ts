import { readDateStyles, readSharedStrings, readWorkbookParts, type SheetPart } from './workbook-parts.js';
import {
  SHARED_TEXT_FLOOR,
  SHARED_TEXT_RATIO,
  sheetRowHandlers,
  type SheetStats,
  type XlsxRow,
} from './sheet-rows.js';
import { parsePart } from './xml-part.js';
import { notXlsx, XlsxError } from './xlsx-error.js';
import { DEFAULT_XLSX_CAPS, openGuardedZip, type XlsxCaps } from './guarded-zip.js';

export interface ReadXlsxOptions {
  /** Sheet name (default: the first worksheet). */
  sheet?: string;
  caps?: XlsxCaps;
  /** Filled while the rows are read (formula cells without a computed value). */
  stats?: SheetStats;
}

function pickSheet(sheets: SheetPart[], wanted: string | undefined): SheetPart {
  if (sheets.length === 0) throw new XlsxError('XLSX_SHEET', 'the workbook has no worksheets');
  if (wanted === undefined) return sheets[0]!;
  const found =
    sheets.find((s) => s.name === wanted) ??
    sheets.find((s) => s.name.toLowerCase() === wanted.toLowerCase());
  if (!found) {
    throw new XlsxError(
      'XLSX_SHEET',
      `sheet '${wanted}' not found; sheets: ${sheets.map((s) => s.name).join(', ')}`,
    );
  }
  return found;
}

/** The names of a workbook's worksheets, in order. */
export async function listXlsxSheets(blob: Blob, caps: XlsxCaps = DEFAULT_XLSX_CAPS): Promise<string[]> {
  return (await readWorkbookParts(await openGuardedZip(blob, caps))).sheets.map((s) => s.name);
}

/**
 * The rows of one sheet, streamed: only the shared strings and styles are held in memory, never
 * the sheet. Cells are text as the workbook shows them: numbers exactly as stored, dates ISO.
 */
export async function* readXlsxRows(blob: Blob, options: ReadXlsxOptions = {}): AsyncGenerator<XlsxRow> {
  const zip = await openGuardedZip(blob, options.caps ?? DEFAULT_XLSX_CAPS);
  const workbook = await readWorkbookParts(zip);
  const sheet = pickSheet(workbook.sheets, options.sheet);
  if (!zip.has(sheet.part)) throw notXlsx(`the part of sheet '${sheet.name}' is missing`);
  const context = {
    sheet: sheet.name,
    sharedStrings: await readSharedStrings(zip, workbook.sharedStrings),
    dateStyles: await readDateStyles(zip, workbook.styles),
    date1904: workbook.date1904,
    sharedTextBudget: Math.max(SHARED_TEXT_FLOOR, SHARED_TEXT_RATIO * (zip.inflatedSize(sheet.part) ?? 0)),
    ...(options.stats ? { stats: options.stats } : {}),
  };
  const ready: XlsxRow[] = [];
  const handlers = sheetRowHandlers(context, (row) => ready.push(row));
  yield* parsePart(zip, sheet.part, handlers, () => ready.splice(0));
}
