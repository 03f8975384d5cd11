import type { Recipe } from '../recipe/schema.js';
import type { Column } from '../steps/types.js';

/** A cell as it crosses to JSON: numbers are finite doubles or safe integers; dates are YYYY-MM-DD. */
export type Cell = string | number | null;

export interface TableResult {
  columns: Column[];
  rows: Cell[][];
}

export interface LoadedDataset {
  /** The engine's handle for the source relation (holds the columns plus the row-order column). */
  table: string;
  columns: Column[];
  /** A column of `table` that holds row order, when DuckDB's rowid does not. */
  rowIdColumn?: string;
  rowCount: number;
  warnings: string[];
}

export interface RunOptions {
  offset?: number;
  limit?: number;
  /** Apply only the first N steps. */
  upTo?: number;
  /** Aborted: a nearest-neighbour cluster-merge's clustering stops (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * What every engine (native DuckDB, DuckDB-WASM) offers the shared code. The conformance suite
 * in ./conformance.ts drives an engine only through this interface.
 */
export interface Engine {
  /** Import CSV bytes (sniffed encoding/dialect, every column as text). */
  loadCsv(name: string, bytes: Uint8Array): Promise<LoadedDataset>;
  /** Check recipe against the dataset (columns, types, regexes, date formats) without running it. */
  validate(dataset: LoadedDataset, recipe: Recipe): Promise<void>;
  run(dataset: LoadedDataset, recipe: Recipe, options?: RunOptions): Promise<TableResult>;
  drop(dataset: LoadedDataset): Promise<void>;
  close(): Promise<void>;
}
