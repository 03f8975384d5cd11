import fs from 'node:fs';
import { TidyvaultError } from '@tidyvault/core';
import { importCsv } from './csv.js';
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
  const format = o.format ?? formatFromName(ctx.displayName);
  let size: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile())
      throw new TidyvaultError('USAGE', `${ctx.displayName} is not a regular file`, {
        file: ctx.displayName,
      });
    size = st.size;
  } catch (e) {
    if (e instanceof TidyvaultError) throw e;
    throw new TidyvaultError(
      'USAGE',
      `cannot read ${ctx.displayName}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        file: ctx.displayName,
      },
    );
  }
  if (size === 0)
    throw new TidyvaultError('IMPORT_EMPTY', `${ctx.displayName}: the file is empty`, {
      file: ctx.displayName,
    });
  switch (format) {
    case 'csv':
    case 'tsv':
      return importCsv(file, ctx, { ...o, format });
    case 'json':
    case 'ndjson':
      return importJson(file, ctx, format);
    case 'parquet':
      return importParquet(file, ctx);
    case 'xlsx':
      return importXlsx(file, ctx, o);
  }
}
