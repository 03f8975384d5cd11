import path from 'node:path';
import { TidyvaultError } from '@tidyvault/core';

/** The file formats Tidyvault reads and writes (the same set both ways). */
export type FileFormat = 'csv' | 'tsv' | 'json' | 'ndjson' | 'parquet' | 'xlsx';
export const FILE_FORMATS: readonly FileFormat[] = ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'xlsx'];

const BY_EXTENSION: Record<string, FileFormat> = {
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

/** The explicit format when given (checked), else the one the file name's extension says. */
export function fileFormat(name: string, explicit: string | undefined, flag: string): FileFormat {
  if (explicit !== undefined) {
    if (explicit === 'jsonl') return 'ndjson';
    if ((FILE_FORMATS as readonly string[]).includes(explicit)) return explicit as FileFormat;
    throw new TidyvaultError('USAGE', `unknown format "${explicit}"; use one of ${FILE_FORMATS.join(', ')}`, {
      field: 'format',
    });
  }
  const ext = path.extname(name).toLowerCase();
  const format = BY_EXTENSION[ext];
  if (!format) {
    throw new TidyvaultError(
      'USAGE',
      `cannot tell the format of ${name} from its extension "${ext}"; name it .csv/.tsv/.json/.ndjson/.parquet/.xlsx or pass ${flag}`,
      { file: name, field: 'format' },
    );
  }
  return format;
}
