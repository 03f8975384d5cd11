import { constants, openAsBlob } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import {
  DEFAULT_XLSX_CAPS,
  listXlsxSheets as listSheets,
  readXlsxRows as readRows,
  XlsxError,
  type ReadXlsxOptions,
  type XlsxCaps,
  type XlsxRow,
} from '@tidyvault/core';

// The reader is core's (xlsx-read/), shared with engine-wasm; here it reads a file by its path.
export { DEFAULT_XLSX_CAPS, XlsxError, type ReadXlsxOptions, type XlsxCaps, type XlsxRow };

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'the file does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder, not a file',
};

/** The file as a Blob read lazily (slices are read when needed); why not, in words. */
async function fileBlob(path: string): Promise<Blob> {
  try {
    // openAsBlob says only "invalid argument" for a missing file or a folder.
    if ((await stat(path)).isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    await access(path, constants.R_OK);
    return await openAsBlob(path);
  } catch (e) {
    const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
    if (typeof code !== 'string' || !code.startsWith('E')) throw e;
    throw new XlsxError('XLSX_CORRUPT', `cannot read the xlsx file: ${FILE_ERRORS[code] ?? code}`);
  }
}

export async function listXlsxSheets(path: string, caps: XlsxCaps = DEFAULT_XLSX_CAPS): Promise<string[]> {
  return listSheets(await fileBlob(path), caps);
}

/** The rows of one sheet of the workbook at `path`, streamed (see core's readXlsxRows). */
export async function* readXlsxRows(path: string, options: ReadXlsxOptions = {}): AsyncGenerator<XlsxRow> {
  yield* readRows(await fileBlob(path), options);
}
