import type { FileFormat } from '../file-formats.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Column } from '@tidyvault/core';
import type { StagingArea } from '../staging.js';

export type InputFormat = FileFormat;

export interface ImportOptions {
  format?: InputFormat;
  /** `extend`: rows with too many fields add auto-named columns instead of failing. */
  ragged?: 'error' | 'extend';
  /** xlsx: the sheet to read (default: the first). */
  sheet?: string;
  /** CSV overrides when sniffing is unsure. */
  delimiter?: string;
  header?: boolean;
  encoding?: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
  /** The option that gives the format, named when the file's extension does not tell it (default --format). */
  formatFlag?: string;
}

export interface ImportContext {
  connection: DuckDBConnection;
  staging: StagingArea;
  /** The table to create (columns as text, in the file's row order). */
  table: string;
  /** How the file is named in messages (its path or upload name). */
  displayName: string;
}

export interface ImportResult {
  columns: Column[];
  rowCount: number;
  warnings: string[];
}
