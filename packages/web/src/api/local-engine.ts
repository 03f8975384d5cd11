import type {
  ClusterResult,
  headPageQuery,
  Column,
  LoadedDataset,
  Profile,
  ProfileOptions,
  Recipe,
  TableResult,
} from '@tidyvault/core';
import type { DuplicatesResult, FacetResult, Histogram, HistogramOf } from './types.js';

/** A query on a recipe's output (core's page queries build them). */
type Select = ReturnType<typeof headPageQuery>['query'];

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
  run(
    dataset: LoadedDataset,
    recipe: Recipe,
    o?: { offset?: number; limit?: number; signal?: AbortSignal },
  ): Promise<TableResult>;
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
  estimateFile(file: Blob): Promise<{ bytes: number; fits: boolean; message?: string }>;
  drop(dataset: LoadedDataset): Promise<void>;
  /** Run a query built from the recipe's compiled SQL (a page of it); errors worded as run()'s. */
  runQuery(query: Select, columns: Column[]): Promise<TableResult>;
  /**
   * The recipe's output held as a table of its own (rows in order); released by dropState. In
   * the background, statements asked for meanwhile run first.
   */
  materialise(dataset: LoadedDataset, recipe: Recipe, o?: { background?: boolean }): Promise<LoadedDataset>;
  dropState(state: LoadedDataset): Promise<void>;
}
