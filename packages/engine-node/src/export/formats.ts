import { FILE_FORMATS, fileFormat, type FileFormat } from '../file-formats.js';

export type OutputFormat = FileFormat;
export const OUTPUT_FORMATS: readonly OutputFormat[] = FILE_FORMATS;

export const outputFormatFor = (file: string, explicit?: string): OutputFormat =>
  fileFormat(file, explicit, '--format');

/** Spreadsheet programs evaluate these; JSON and Parquet consumers do not. */
export { guardsFormulas } from '@tidyvault/core';
