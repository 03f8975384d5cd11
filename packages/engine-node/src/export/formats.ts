import path from 'node:path';
import { TidyvaultError } from '@tidyvault/core';

export type OutputFormat = 'csv' | 'tsv' | 'json' | 'ndjson' | 'parquet' | 'xlsx';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'xlsx'];

const BY_EXTENSION: Record<string, OutputFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.xlsx': 'xlsx',
};

export function outputFormatFor(file: string, explicit?: string): OutputFormat {
  if (explicit !== undefined) {
    if ((OUTPUT_FORMATS as readonly string[]).includes(explicit)) return explicit as OutputFormat;
    throw new TidyvaultError(
      'USAGE',
      `unknown output format "${explicit}"; use one of ${OUTPUT_FORMATS.join(', ')}`,
    );
  }
  const ext = path.extname(file).toLowerCase();
  const f = BY_EXTENSION[ext];
  if (!f)
    throw new TidyvaultError('USAGE', `cannot tell the output format from "${ext || file}"; use --format`, {
      file,
    });
  return f;
}

/** Spreadsheet programs evaluate these; JSON and Parquet consumers do not. */
export const guardsFormulas = (f: OutputFormat): boolean => f === 'csv' || f === 'tsv' || f === 'xlsx';
