import type {
  ClusterResult,
  LoadedDataset,
  Profile,
  ProfileOptions,
  Recipe,
  TableResult,
} from '@tidyvault/core';
import type { DuplicatesResult, FacetResult, Histogram, HistogramOf } from './types.js';

/** What local mode needs from the in-browser engine (packages/engine-wasm's WasmEngine). */
export interface LocalEngine {
  loadFile(
    file: Blob,
    name: string,
    o?: {
      delimiter?: string;
      header?: boolean;
      encoding?: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
      sheet?: string;
      ragged?: 'error' | 'extend';
    },
  ): Promise<LoadedDataset>;
  validate(dataset: LoadedDataset, recipe: Recipe): Promise<void>;
  run(dataset: LoadedDataset, recipe: Recipe, o?: { offset?: number; limit?: number }): Promise<TableResult>;
  count(dataset: LoadedDataset, recipe: Recipe): Promise<number>;
  profile(dataset: LoadedDataset, recipe?: Recipe, topN?: number, o?: ProfileOptions): Promise<Profile>;
  facet(dataset: LoadedDataset, recipe: Recipe, column: string, limit: number): Promise<FacetResult>;
  histogram(
    dataset: LoadedDataset,
    recipe: Recipe,
    column: string,
    bins: number,
    of?: HistogramOf,
  ): Promise<Histogram>;
  cluster(
    dataset: LoadedDataset,
    column: string,
    method: string,
    params: Record<string, number>,
    recipe?: Recipe,
  ): Promise<ClusterResult>;
  duplicates(
    dataset: LoadedDataset,
    recipe: Recipe,
    columns: string[],
    params: { threshold?: number },
    signal: AbortSignal,
  ): Promise<DuplicatesResult>;
  export(dataset: LoadedDataset, recipe: Recipe, format: string, o: { formulaGuard: boolean }): Promise<Blob>;
  estimate(file: Blob): { bytes: number; fits: boolean; message?: string };
  drop(dataset: LoadedDataset): Promise<void>;
  /** The recipe's output held as a table of its own (rows in order); released by dropState. */
  materialise(dataset: LoadedDataset, recipe: Recipe): Promise<LoadedDataset>;
  dropState(state: LoadedDataset): Promise<void>;
}
