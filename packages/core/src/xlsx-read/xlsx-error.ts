export type XlsxErrorCode = 'XLSX_CORRUPT' | 'XLSX_LIMIT' | 'XLSX_SHEET' | 'XLSX_UNSAFE';

/** An xlsx problem told in words a user understands; `code` says which kind. */
export class XlsxError extends Error {
  override readonly name = 'XlsxError';

  constructor(
    readonly code: XlsxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function notXlsx(detail: string): XlsxError {
  return new XlsxError('XLSX_CORRUPT', `the file is not a valid xlsx (zip) file: ${detail}`);
}

/** A sound zip whose workbook content is wrong (a cell given twice, a missing shared string). */
export function damagedWorkbook(detail: string): XlsxError {
  return new XlsxError('XLSX_CORRUPT', `the workbook is damaged: ${detail}`);
}

export function zipBomb(what: string): XlsxError {
  return new XlsxError('XLSX_LIMIT', `${what} — refused as a possible zip bomb`);
}
