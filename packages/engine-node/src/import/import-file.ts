import fs from 'node:fs';
import { checkCsvOnlyOptions, checkSheetOption, isOutOfMemory, TidyvaultError } from '@tidyvault/core';
import { importCsv } from './csv.js';
import { unreadableReason } from '../unreadable.js';
import { formatFromName } from './format.js';
import { importJson } from './json.js';
import { importParquet } from './parquet.js';
import type { ImportContext, ImportOptions, ImportResult } from './types.js';
import { importXlsx } from './xlsx.js';

export async function importFile(
  file: string,
  ctx: ImportContext,
  o: ImportOptions = {},
): Promise<ImportResult> {
  const format = o.format ?? formatFromName(ctx.displayName, undefined, o.formatFlag);
  checkSheetOption(o.sheet, format, ctx.displayName);
  checkCsvOnlyOptions(o, format, ctx.displayName);
  let size: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile())
      throw new TidyvaultError('USAGE', `${ctx.displayName} is not a regular file`, {
        file: ctx.displayName,
      });
    size = st.size;
    // Readable by this process (a file of mode 000 passes stat and fails later, deep in a reader).
    fs.closeSync(fs.openSync(file, 'r'));
  } catch (e) {
    if (e instanceof TidyvaultError) throw e;
    throw new TidyvaultError('USAGE', `cannot read ${ctx.displayName}: ${unreadableReason(e)}`, {
      file: ctx.displayName,
    });
  }
  if (size === 0)
    throw new TidyvaultError('IMPORT_EMPTY', `${ctx.displayName}: the file is empty`, {
      file: ctx.displayName,
    });
  try {
    switch (format) {
      case 'csv':
      case 'tsv':
        return await importCsv(file, ctx, { ...o, format });
      case 'json':
      case 'ndjson':
        return await importJson(file, ctx, format);
      case 'parquet':
        return await importParquet(file, ctx);
      case 'xlsx':
        return await importXlsx(file, ctx, o);
    }
  } catch (e) {
    // DuckDB running out of memory is not a problem with the file: say so, whatever the importer made of it.
    if (isOutOfMemory((e as Error).message)) {
      throw new TidyvaultError(
        'OUT_OF_MEMORY',
        `${ctx.displayName}: not enough memory to load it (${size.toLocaleString('en-US')} bytes); raise the memory limit or use a machine with more memory`,
        { file: ctx.displayName },
      );
    }
    throw e;
  }
}
