import { TidyvaultError } from '@tidyvault/core';

/** The file formats Tidyvault reads (as engine-node's file-formats.ts, without node:path). */
export type InputFormat = 'csv' | 'tsv' | 'json' | 'ndjson' | 'parquet' | 'xlsx';
export const INPUT_FORMATS: readonly InputFormat[] = ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'xlsx'];

const BY_EXTENSION: Record<string, InputFormat> = {
  '.csv': 'csv',
  '.txt': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.xlsx': 'xlsx',
};

/** What path.extname gives: the last dot of the base name on, unless the name starts with it. */
function extname(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot);
}

/** The explicit format when given (checked), else the one the file name's extension says; engine-node's messages. */
export function inputFormat(name: string, explicit?: string): InputFormat {
  if (explicit !== undefined) {
    if ((INPUT_FORMATS as readonly string[]).includes(explicit)) return explicit as InputFormat;
    throw new TidyvaultError(
      'USAGE',
      `unknown format "${explicit}"; use one of ${INPUT_FORMATS.join(', ')}`,
      {
        field: 'format',
      },
    );
  }
  const ext = extname(name).toLowerCase();
  const format = BY_EXTENSION[ext];
  if (!format) {
    throw new TidyvaultError(
      'USAGE',
      `cannot tell the format of ${name} from its extension "${ext}"; rename it to end in .csv, .tsv, .json, .ndjson, .parquet or .xlsx (the format is read from the name)`,
      { file: name, field: 'format' },
    );
  }
  return format;
}
