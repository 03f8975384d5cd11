import path from 'node:path';
import { TidyvaultError } from '@tidyvault/core';
import type { InputFormat } from './types.js';

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

export const INPUT_FORMATS: readonly InputFormat[] = ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'xlsx'];

export function formatFromName(name: string, explicit?: string): InputFormat {
  if (explicit !== undefined) {
    if ((INPUT_FORMATS as readonly string[]).includes(explicit)) return explicit as InputFormat;
    throw new TidyvaultError('USAGE', `unknown format "${explicit}"; use one of ${INPUT_FORMATS.join(', ')}`);
  }
  const ext = path.extname(name).toLowerCase();
  const format = BY_EXTENSION[ext];
  if (!format) {
    throw new TidyvaultError(
      'USAGE',
      `cannot tell the format of ${name} from its extension "${ext}"; name it .csv/.tsv/.json/.ndjson/.parquet/.xlsx or pass --format`,
      { file: name },
    );
  }
  return format;
}
