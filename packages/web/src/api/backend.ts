import type {
  ClusterResult,
  DatasetDetail,
  DatasetSummary,
  DuplicatesResult,
  Condition,
  FacetResult,
  Histogram,
  HistogramOf,
  HistoryState,
  Location,
  Me,
  Profile,
  Recipe,
  RowsPage,
  Step,
} from './types.js';

export interface UploadOptions {
  delimiter?: string;
  encoding?: string;
  header?: boolean;
  sheet?: string;
  /** `extend`: rows with more fields than the header add columns instead of being refused. */
  ragged?: 'error' | 'extend';
}

export interface Upload {
  done: Promise<DatasetSummary>;
  cancel: () => void;
}

/** What the workbench needs from wherever the data lives (the server now; the browser later). */
export interface Backend {
  readonly kind: 'server' | 'device';
  me(): Promise<Me | null>;
  /** Get ready for an upload that may come (local mode starts DuckDB-WASM while the user picks a file). */
  prepare?(): void;
  upload(file: File, o: UploadOptions, onProgress: (sent: number, total: number) => void): Upload;
  list(): Promise<DatasetSummary[]>;
  dataset(id: string): Promise<DatasetDetail>;
  rows(id: string, offset: number, limit: number, step?: number, where?: Condition): Promise<RowsPage>;
  profile(id: string): Promise<Profile>;
  facet(id: string, column: string, where?: Condition): Promise<FacetResult>;
  /** Of a number column's values (the numeric facet), or with `of: 'length'` of any column's value lengths. */
  histogram(
    id: string,
    column: string,
    bins: number,
    where?: Condition,
    of?: HistogramOf,
  ): Promise<Histogram>;
  cluster(id: string, column: string, method: string, params: Record<string, number>): Promise<ClusterResult>;
  duplicates(id: string, columns: string[], threshold: number): Promise<DuplicatesResult>;
  addStep(id: string, step: Step): Promise<HistoryState>;
  undo(id: string): Promise<HistoryState>;
  redo(id: string): Promise<HistoryState>;
  replaceRecipe(id: string, recipe: Recipe): Promise<HistoryState>;
  /**
   * A URL the browser can download the cleaned data from once it is built (the server's one-time
   * link, or a blob: of this tab); an export that cannot be made rejects instead. `signal` stops
   * waiting for it (the server stops building when the request goes).
   */
  exportFile(id: string, format: string, formulaGuard: boolean, signal?: AbortSignal): Promise<string>;
  location(id: string): Promise<Location>;
  remove(id: string): Promise<void>;
}

/** An error the server answered with: a stable code and a message meant for people. */
export class BackendError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly step?: { index: number; op: string },
    readonly column?: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}
