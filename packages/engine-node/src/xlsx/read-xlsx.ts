import { readDateStyles, readSharedStrings, readWorkbookParts, type SheetPart } from './workbook-parts.js';
import { sheetRowHandlers, type XlsxRow } from './sheet-rows.js';
import { parsePart } from './xml-part.js';
import { notXlsx, XlsxError } from './xlsx-error.js';
import { DEFAULT_XLSX_CAPS, openGuardedZip, type GuardedZip, type XlsxCaps } from './zip-guard.js';

export { XlsxError, type XlsxErrorCode } from './xlsx-error.js';
export { DEFAULT_XLSX_CAPS, type XlsxCaps } from './zip-guard.js';
export type { XlsxRow } from './sheet-rows.js';

export interface ReadXlsxOptions {
  /** Sheet name (default: the first worksheet). */
  sheet?: string;
  caps?: XlsxCaps;
}

async function withZip<T>(path: string, caps: XlsxCaps, use: (zip: GuardedZip) => Promise<T>): Promise<T> {
  const zip = await openGuardedZip(path, caps);
  try {
    return await use(zip);
  } finally {
    zip.close();
  }
}

export function listXlsxSheets(path: string, caps: XlsxCaps = DEFAULT_XLSX_CAPS): Promise<string[]> {
  return withZip(path, caps, async (zip) => (await readWorkbookParts(zip)).sheets.map((s) => s.name));
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

/**
 * The rows of one sheet, streamed: only the shared strings and styles are held in memory, never
 * the sheet. Cells are text as the workbook shows them: numbers exactly as stored, dates ISO.
 */
export async function* readXlsxRows(path: string, options: ReadXlsxOptions = {}): AsyncGenerator<XlsxRow> {
  const zip = await openGuardedZip(path, options.caps ?? DEFAULT_XLSX_CAPS);
  try {
    const workbook = await readWorkbookParts(zip);
    const sheet = pickSheet(workbook.sheets, options.sheet);
    if (!zip.has(sheet.part)) throw notXlsx(`the part of sheet '${sheet.name}' is missing`);
    const context = {
      sheet: sheet.name,
      sharedStrings: await readSharedStrings(zip, workbook.sharedStrings),
      dateStyles: await readDateStyles(zip, workbook.styles),
      date1904: workbook.date1904,
    };
    const ready: XlsxRow[] = [];
    const handlers = sheetRowHandlers(context, (row) => ready.push(row));
    yield* parsePart(zip, sheet.part, handlers, () => ready.splice(0));
  } finally {
    zip.close();
  }
}
