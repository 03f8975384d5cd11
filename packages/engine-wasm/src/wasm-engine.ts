import { AsyncDuckDB, VoidLogger } from '@duckdb/duckdb-wasm';
import {
  analyzeRecipe,
  checkDuplicateColumns,
  columnProfileQuery,
  compileOnTable,
  forTableInRowIdOrder,
  dedupeCountQuery,
  distinctCountsQuery,
  duplicateCandidates,
  duplicateTuplesQuery,
  EXPORT_FORMATS,
  exportColumns,
  checkCsvOnlyOptions,
  checkSheetOption,
  delimitedCopyOptions,
  exportQuery,
  facetQuery,
  guardsFormulas,
  histogramColumn,
  histogramCountsQuery,
  histogramRangeQuery,
  isKeyCollision,
  keyCollisionClusters,
  keyerFor,
  knnClusters,
  outputColumn,
  profiledColumns,
  profileSource,
  readColumnProfile,
  readFacet,
  readHistogram,
  readHistogramRange,
  ROW_ID,
  engineCheckError,
  TidyvaultError,
  type ClusterMethod,
  type ClusterParams,
  type ClusterResult,
  type Column,
  type ColumnProfile,
  type OnTableOptions,
  type DuplicatesAnswer,
  type DuplicatesParams,
  type Engine,
  type ExportFormat,
  type Facet,
  type Histogram,
  type HistogramOf,
  type LoadedDataset,
  type Profile,
  type ProfileOptions,
  type Recipe,
  type RunOptions,
  type TableResult,
  listXlsxSheets,
  XlsxError,
  isOutOfMemory,
  recipeExecutionError,
  countingStepsFrom,
} from '@tidyvault/core';
import { and, bin, call, col, lit, select, statement, type Expr, type Select } from '@tidyvault/sql';
import { pickBundle, wasmServedProblem, type Bundle } from './bundles.js';
import { ClusterKeys } from './cluster-keys.js';
import { Connection, duckdbReason } from './connection.js';
import { engineFailure, isEngineBroken } from './engine-failure.js';
import { BlobInput, BytesInput, type CsvInput } from './import/input.js';
import { count, dropTable, importCsv, type CsvImportOptions } from './import/csv.js';
import { inputFormat, type InputFormat } from './import/format.js';
import { estimateFootprint, type Estimate } from './estimate.js';
import { importXlsx } from './import/xlsx/import.js';
import { importJson } from './import/json.js';
import { importParquet } from './import/parquet.js';
import { exportDelimited, exportJson, exportParquet, exportXlsx } from './export/export.js';
import { checkSettings, defaultExtensionRepository, lockdownStatements, settingsQuery } from './lockdown.js';
import { firstJsonObject, jsonRows, tableRows } from './values.js';

/** How `loadFile` reads a file: engine-node's ImportOptions, and the name when the File has none. */
export interface LoadOptions extends Omit<CsvImportOptions, 'format'> {
  /** The name shown in messages, whose extension picks the format (default: the File's name). */
  name?: string;
  /** The format, whatever the name says. */
  format?: InputFormat;
  /** xlsx: the sheet to read (default: the first). */
  sheet?: string;
}

/** A Blob's bytes in chunks of 1 MiB. */
async function* blobChunks(blob: Blob): AsyncIterable<Uint8Array> {
  for (let at = 0; at < blob.size; at += 1 << 20)
    yield new Uint8Array(await blob.slice(at, at + (1 << 20)).arrayBuffer());
}

export interface WasmEngineOptions {
  /** The bundle to run (default: the self-hosted one this browser supports). */
  bundle?: Bundle;
  /** Where DuckDB may look for extensions (default: `<page origin>/duckdb-ext`, which serves none). */
  extensionRepository?: string;
}

/** How a caller follows and stops `cluster()` (as engine-node's ClusterOptions). */
export interface ClusterOptions {
  /** Fired: the promise rejects with a TidyvaultError of code CANCELLED (checked between phases and inside kNN). */
  signal?: AbortSignal;
  /** Called with 0–100 while nearest-neighbour clustering (levenshtein, ppm) runs. */
  onProgress?: (percent: number) => void;
}

const EMPTY_RECIPE: Recipe = { version: 1, steps: [] };
/** Cells per COPY when exporting CSV or TSV (about 50,000 rows of 12 columns; see exportDelimited). */
const EXPORT_SLICE_CELLS = 600_000;
const cancelled = () => new TidyvaultError('CANCELLED', 'cancelled');

/** A load's error as the user should see it: a failed engine says so, anything else as it came. */
function loadFailure(e: unknown, name: string): unknown {
  const message = (e as Error | undefined)?.message ?? '';
  return !(e instanceof TidyvaultError) && isEngineBroken(message)
    ? engineFailure(message, `${name}: loading it`)
    : e;
}

/**
 * DuckDB-WASM behind the shared Engine interface: DuckDB runs in a Web Worker started from the
 * self-hosted bundle, locked down right after open (see lockdown.ts), and refuses to start if a
 * self-check of the settings fails. Recipes run through core's compiler as on engine-node.
 */
const ESTIMATE_SAMPLE_BYTES = 256 * 1024;
const ESTIMATE_SLICE_BYTES = 64 * 1024;

export class WasmEngine implements Engine {
  private counter = 0;
  private files = 0;
  private readonly clusterKeys: ClusterKeys;

  private constructor(
    private readonly worker: Worker,
    readonly connection: Connection,
    /** The security settings as DuckDB reported them at the self-check. */
    readonly settings: Record<string, string>,
    /** DuckDB's version (e.g. v1.4.3). */
    readonly version: string,
  ) {
    this.clusterKeys = new ClusterKeys(connection);
  }

  static async open(o: WasmEngineOptions = {}): Promise<WasmEngine> {
    const bundle = o.bundle ?? (await pickBundle());
    // The check runs while the module compiles (a second or more): a wrong Content-Type makes
    // instantiate() wait forever, so the check's answer is awaited first.
    const served = wasmServedProblem(bundle.wasm);
    const worker = new Worker(bundle.worker);
    try {
      const db = new AsyncDuckDB(new VoidLogger(), worker);
      const instantiated = db.instantiate(bundle.wasm);
      instantiated.catch(() => undefined);
      const problem = await served;
      if (problem) throw new Error(`DuckDB-WASM cannot start: ${problem}`);
      await instantiated;
      await db.open({
        path: ':memory:',
        allowUnsignedExtensions: false,
        filesystem: { allowFullHTTPReads: false, reliableHeadRequests: false },
        query: { castBigIntToDouble: false, castDecimalToDouble: false },
      });
      const raw = await db.connect();
      const connection = new Connection(db, raw);
      const repository = o.extensionRepository ?? defaultExtensionRepository();
      for (const sql of lockdownStatements(repository)) await connection.run(sql);
      const actual: Record<string, string> = {};
      for (const row of (await connection.query(settingsQuery(repository))).toArray()) {
        actual[String(row['name'])] = String(row['value'] ?? '');
      }
      const settings = checkSettings(actual, repository);
      return new WasmEngine(worker, connection, settings, await db.getVersion());
    } catch (e) {
      worker.terminate();
      throw e;
    }
  }

  get db(): AsyncDuckDB {
    return this.connection.db;
  }

  private nextTable(): string {
    return `dataset_${++this.counter}`;
  }

  /**
   * Import CSV bytes (as CSV whatever the name, like engine-node's loadCsv). The array's buffer
   * is handed to DuckDB's worker without a copy (see BytesInput).
   */
  loadCsv(name: string, bytes: Uint8Array, o: CsvImportOptions = {}): Promise<LoadedDataset> {
    return this.importCsv(name, new BytesInput(bytes), { format: 'csv', ...o });
  }

  /**
   * Import a File (or Blob) the user picked, in any format engine-node reads, chosen by
   * `options.format` or else by the name's extension (`.csv .txt .tsv .tab .json .ndjson .jsonl
   * .parquet .pq`): CSV and TSV by DuckDB (the worker reads the file in slices, it is never
   * copied whole), JSON, NDJSON and Parquet parsed in JavaScript a record or row group at a
   * time and inserted through Arrow. Every column is text, names repaired, as engine-node does.
   * The name may also be given as the second argument (`loadFile(file, name, options)`).
   */
  loadFile(
    file: Blob,
    nameOrOptions?: string | LoadOptions,
    options: LoadOptions = {},
  ): Promise<LoadedDataset> {
    const o = typeof nameOrOptions === 'object' ? nameOrOptions : options;
    const name =
      (typeof nameOrOptions === 'string' ? nameOrOptions : undefined) ??
      o.name ??
      (file instanceof File ? file.name : 'data.csv');
    const { format: explicit, name: _name, ...rest } = o;
    void _name;
    const format = inputFormat(name, explicit);
    checkSheetOption(rest.sheet, format, name);
    checkCsvOnlyOptions(rest, format, name);
    if (format === 'csv' || format === 'tsv')
      return this.importCsv(name, new BlobInput(file), { ...rest, format });
    return this.importOther(name, file, format, rest);
  }

  /**
   * Before loading: the memory the file is expected to need in DuckDB-WASM's heap, and whether
   * it fits (see estimate.ts), so the page can say "use the CLI or a Tidyvault server" instead of the
   * tab crashing. The format is chosen as `loadFile` chooses it; `heapBytes` overrides the
   * usable heap (about 3 GB of wasm32's 4 GB).
   */
  estimate(file: Blob, o: { name?: string; format?: InputFormat; heapBytes?: number } = {}): Estimate {
    const name = o.name ?? (file instanceof File ? file.name : 'data.csv');
    const format = inputFormat(name, o.format);
    return estimateFootprint(name, file.size, format, o.heapBytes);
  }

  /**
   * As `estimate`, reading the file's first 256 KiB and 64 KiB at each quarter of it: a CSV of
   * short fields needs more than its size says, wherever they are.
   */
  async estimateFile(
    file: Blob,
    o: { name?: string; format?: InputFormat; heapBytes?: number } = {},
  ): Promise<Estimate> {
    const name = o.name ?? (file instanceof File ? file.name : 'data.csv');
    const format = inputFormat(name, o.format);
    const read = async (from: number, bytes: number) =>
      new Uint8Array(await file.slice(from, from + bytes).arrayBuffer());
    const samples = [await read(0, ESTIMATE_SAMPLE_BYTES)];
    if (file.size > 2 * ESTIMATE_SAMPLE_BYTES)
      for (const at of [0.25, 0.5, 0.75, 1])
        samples.push(await read(Math.floor(file.size * at) - ESTIMATE_SLICE_BYTES, ESTIMATE_SLICE_BYTES));
    return estimateFootprint(name, file.size, format, o.heapBytes, samples);
  }

  /** The worksheets of an xlsx File, in workbook order (for a sheet picker). */
  async sheets(file: Blob, name = file instanceof File ? file.name : 'book.xlsx'): Promise<string[]> {
    try {
      return await listXlsxSheets(file);
    } catch (e) {
      if (e instanceof XlsxError)
        throw new TidyvaultError(
          e.code === 'XLSX_LIMIT' ? 'IMPORT_LIMIT' : 'IMPORT_FORMAT',
          `${name}: ${e.message}`,
          {
            file: name,
          },
        );
      throw e;
    }
  }

  private async importOther(
    name: string,
    file: Blob,
    format: 'json' | 'ndjson' | 'parquet' | 'xlsx',
    o: Omit<LoadOptions, 'name' | 'format'>,
  ): Promise<LoadedDataset> {
    if (file.size === 0)
      throw new TidyvaultError('IMPORT_EMPTY', `${name}: the file is empty`, { file: name });
    const table = this.nextTable();
    const ctx = { connection: this.connection, table, displayName: name };
    try {
      switch (format) {
        case 'json':
        case 'ndjson':
          return { table, ...(await importJson(blobChunks(file), ctx, format)) };
        case 'parquet':
          return { table, ...(await importParquet(file, ctx)) };
        case 'xlsx':
          return {
            table,
            ...(await importXlsx(file, ctx, {
              ...(o.sheet === undefined ? {} : { sheet: o.sheet }),
              ...(o.ragged === undefined ? {} : { ragged: o.ragged }),
            })),
          };
      }
    } catch (e) {
      if (!(e instanceof TidyvaultError) && isOutOfMemory((e as Error).message ?? '')) {
        throw new TidyvaultError(
          'OUT_OF_MEMORY',
          `${name}: not enough memory to load it (${file.size.toLocaleString('en-US')} bytes) in this browser tab; use the CLI (tidyvault clean) or a Tidyvault server for a file this large`,
          { file: name },
        );
      }
      throw loadFailure(e, name);
    }
  }

  private async importCsv(name: string, input: CsvInput, o: CsvImportOptions): Promise<LoadedDataset> {
    if (input.size === 0)
      throw new TidyvaultError('IMPORT_EMPTY', `${name}: the file is empty`, { file: name });
    const table = this.nextTable();
    try {
      const result = await importCsv(
        input,
        {
          db: this.db,
          connection: this.connection,
          table,
          displayName: name,
          fileName: () => `tidyvault-import-${++this.files}.csv`,
        },
        o,
      );
      return { table, ...result };
    } catch (e) {
      if (!(e instanceof TidyvaultError) && isOutOfMemory((e as Error).message)) {
        throw new TidyvaultError(
          'OUT_OF_MEMORY',
          `${name}: not enough memory to load it (${input.size.toLocaleString('en-US')} bytes) in this browser tab; use the CLI (tidyvault clean) or a Tidyvault server for a file this large`,
          { file: name },
        );
      }
      throw loadFailure(e, name);
    }
  }

  /** Columns, types and step parameters, then what only DuckDB can judge (RE2 patterns, date formats). */
  async validate(dataset: LoadedDataset, recipe: Recipe): Promise<void> {
    const analysis = analyzeRecipe(recipe, dataset.columns);
    for (const { stepIndex, op, check } of analysis.engineChecks) {
      const fn = check.kind === 'regex' ? 'regexp_matches' : 'try_strptime';
      try {
        await this.connection.queryWith(
          select({ kind: 'select', columns: [{ expr: call(fn, lit(''), { kind: 'param', index: 1 }) }] }),
          [check.value],
        );
      } catch (e) {
        throw engineCheckError(stepIndex, op, check, duckdbReason(e));
      }
    }
  }

  compile(dataset: LoadedDataset, recipe: Recipe, o: OnTableOptions = {}) {
    return compileOnTable(dataset, recipe, o);
  }

  sql(dataset: LoadedDataset, recipe: Recipe): string {
    return select(this.compile(dataset, recipe).query);
  }

  /**
   * Run a query built from `recipe`'s compiled SQL (a page of it, say); DuckDB errors are worded
   * as run()'s. The caller has validated the recipe and filled any cluster keys.
   */
  async runQuery(query: Select, columns: Column[]): Promise<TableResult> {
    const table = await this.execute(() => this.connection.query(select(query)));
    return { columns, rows: tableRows(table) };
  }

  async run(dataset: LoadedDataset, recipe: Recipe, o: RunOptions = {}): Promise<TableResult> {
    await this.validate(dataset, recipe);
    return this.clusterKeys.use(async () => {
      await this.fillClusterKeys(dataset, recipe, o.upTo, o.signal);
      const { query, columns } = this.compile(dataset, recipe, o);
      const table = await this.execute(() => this.connection.query(select(query)));
      return { columns, rows: tableRows(table) };
    });
  }

  /** Rows of a query as plain values (see values.ts jsonRows). */
  private async rows(query: Select): Promise<unknown[][]> {
    return jsonRows(await this.connection.query(select(query)));
  }

  /**
   * Work on the recipe's output: the recipe is validated, the key tables of its cluster-merge
   * steps filled, and `work` gets its query (without the final sort) and columns. DuckDB errors
   * are worded as run()'s.
   */
  private onOutput<T>(
    dataset: LoadedDataset,
    recipe: Recipe,
    work: (source: Select, columns: Column[]) => Promise<T>,
    { sorted = false, intoTable = false, keepRowId = false } = {},
  ): Promise<T> {
    return this.clusterKeys.use(async () => {
      await this.validate(dataset, recipe);
      await this.fillClusterKeys(dataset, recipe);
      const { query, columns } = this.compile(dataset, recipe, { intoTable, keepRowId });
      return this.execute(() => work(sorted ? query : { ...query, orderBy: [] }, columns));
    });
  }

  /** How many rows the recipe gives. */
  async count(dataset: LoadedDataset, recipe: Recipe): Promise<number> {
    if (recipe.steps.length === 0) return dataset.rowCount;
    // A dedupe of whole rows: counted by hash, not by grouping every column (core's distinct-rows.ts).
    const byHash = dedupeCountQuery(dataset, recipe);
    if (byHash) return Number((await this.rows(byHash))[0]![0]);
    return this.onOutput(dataset, recipe, async (source) => {
      const [row] = await this.rows({
        kind: 'select',
        columns: [{ expr: { kind: 'countStar' }, as: 'n' }],
        from: { kind: 'subquery', query: source, alias: 'q' },
      });
      return Number(row![0]);
    });
  }

  /** Each column's profile under the recipe: core's query, read as engine-node reads it. */
  async profile(
    dataset: LoadedDataset,
    recipe: Recipe = EMPTY_RECIPE,
    topN = 10,
    o: ProfileOptions = {},
  ): Promise<Profile> {
    return this.onOutput(dataset, recipe, async (source, output) => {
      const columns = profiledColumns(output, o.columns);
      const profile: Profile = { rows: 0, columns: new Array<ColumnProfile>(columns.length) };
      // One column at a time (the wasm build is single-threaded), each in the background: a page
      // or an export asked for meanwhile goes first.
      for (const [i, column] of columns.entries()) {
        const from = profileSource(dataset, recipe, source, column);
        const r = await this.connection.queryInBackground(
          select(columnProfileQuery(from, column, topN, { stableSample: false })),
        );
        const { rows, profile: p } = readColumnProfile(column, firstJsonObject(r));
        profile.rows = rows;
        profile.columns[i] = p;
      }
      if (columns.length === 0) profile.rows = dataset.rowCount;
      return profile;
    });
  }

  /** Value counts of one column under the recipe, most frequent first, at most `limit` (the server's facet route). */
  async facet(dataset: LoadedDataset, recipe: Recipe, column: string, limit: number): Promise<Facet> {
    return this.onOutput(dataset, recipe, async (source, columns) => {
      const c = outputColumn(columns, column);
      return readFacet(column, await this.rows(facetQuery(source, column, c.type === 'text', limit)), limit);
    });
  }

  /** A number column's histogram (or any column's value lengths') under the recipe, as the server's histogram route. */
  async histogram(
    dataset: LoadedDataset,
    recipe: Recipe,
    column: string,
    bins: number,
    of: HistogramOf = 'value',
  ): Promise<Histogram> {
    return this.onOutput(dataset, recipe, async (source, columns) => {
      histogramColumn(columns, column, of);
      const first = readHistogramRange(
        column,
        (await this.rows(histogramRangeQuery(source, column, of)))[0]!,
      );
      if ('done' in first) return first.done;
      const counts = await this.rows(histogramCountsQuery(source, column, first.range, bins, of));
      return readHistogram(column, first.range, bins, counts, of);
    });
  }

  /**
   * Clusters of similar values of one column under the recipe, as engine-node's cluster():
   * key collision (fingerprint, ngram-fingerprint, metaphone3, cologne-phonetic,
   * daitch-mokotoff) or nearest neighbour (levenshtein, ppm), by core's code.
   */
  async cluster(
    dataset: LoadedDataset,
    column: string,
    method: ClusterMethod,
    params: ClusterParams,
    recipe: Recipe = EMPTY_RECIPE,
    o: ClusterOptions = {},
  ): Promise<ClusterResult> {
    if (isKeyCollision(method)) keyerFor(method, params); // an unavailable keyer fails before any work
    const { signal, onProgress } = o;
    try {
      signal?.throwIfAborted();
      const { values, counts } = await this.onOutput(dataset, recipe, async (source, columns) => {
        const c = outputColumn(columns, column);
        const textSource: Select =
          c.type === 'text'
            ? source
            : {
                kind: 'select',
                star: {
                  replace: [{ expr: { kind: 'cast', expr: col(column), to: 'VARCHAR' } as Expr, as: column }],
                },
                columns: [],
                from: { kind: 'subquery', query: source, alias: 'typed' },
              };
        signal?.throwIfAborted();
        // Read through Arrow: no packing into one string is needed here, and the JSON form
        // engine-node falls back to needs DuckDB's json extension, which DuckDB-WASM lacks.
        const rows = await this.rows(distinctCountsQuery(textSource, column));
        return { values: rows.map((r) => String(r[0])), counts: rows.map((r) => Number(r[1])) };
      });
      signal?.throwIfAborted();
      if (method === 'levenshtein' || method === 'ppm') {
        const pairs = values.map((value, i) => ({ value, count: counts[i]! }));
        const clusters = await knnClusters(
          pairs,
          { method, radius: params?.radius, blockingNgramSize: params?.blockingNgramSize },
          {
            ...(signal ? { signal } : {}),
            ...(onProgress
              ? {
                  onProgress: (done: number, total: number) =>
                    onProgress(total > 0 ? (100 * done) / total : 100),
                }
              : {}),
          },
        );
        return { column, method, clusters };
      }
      return { column, method, clusters: keyCollisionClusters(values, counts, method, params) };
    } catch (e) {
      if (signal?.aborted && !(e instanceof TidyvaultError)) throw cancelled();
      throw e;
    }
  }

  /**
   * Candidate fuzzy-duplicate groups of the recipe's rows over `columns` (text), for review, as
   * engine-node's findDuplicates (core's dedupe/duplicates.ts). Aborting rejects with CANCELLED.
   */
  async duplicates(
    dataset: LoadedDataset,
    recipe: Recipe,
    columns: string[],
    params: DuplicatesParams,
    signal?: AbortSignal,
  ): Promise<DuplicatesAnswer> {
    try {
      signal?.throwIfAborted();
      const rows = await this.onOutput(dataset, recipe, async (source, all) => {
        checkDuplicateColumns(all, columns);
        return this.rows(duplicateTuplesQuery(source, columns));
      });
      return await duplicateCandidates(columns, rows, params, signal);
    } catch (e) {
      if (signal?.aborted && !(e instanceof TidyvaultError)) throw cancelled();
      throw e;
    }
  }

  /**
   * The recipe's output as a file, in the recipe's row order: CSV and TSV by DuckDB's own
   * writer (engine-node's bytes), JSON and NDJSON spelled as DuckDB's JSON writer spells them,
   * XLSX as engine-node's sheet, Parquet through hyparquet-writer. The formula guard (on by
   * default) prefixes `'` to text cells and header names that start like a formula, in CSV,
   * TSV and XLSX only, as engine-node does.
   */
  async export(
    dataset: LoadedDataset,
    recipe: Recipe,
    format: ExportFormat,
    o: { formulaGuard?: boolean } = {},
  ): Promise<Blob> {
    if (!(EXPORT_FORMATS as readonly string[]).includes(format))
      throw new TidyvaultError(
        'USAGE',
        `unknown format "${String(format)}"; use one of ${EXPORT_FORMATS.join(', ')}`,
      );
    const guard = (o.formulaGuard ?? true) && guardsFormulas(format);
    if (format === 'csv' || format === 'tsv') return this.exportDelimited(dataset, recipe, format, guard);
    return this.onOutput(
      dataset,
      recipe,
      async (query, columns) => {
        const q = exportQuery(query, columns, guard);
        const named = exportColumns(columns, guard);
        switch (format) {
          case 'json':
          case 'ndjson':
            return exportJson(this.connection, q, named, format);
          case 'xlsx':
            return exportXlsx(this.connection, q, named);
          case 'parquet':
            return exportParquet(this.connection, q, named);
        }
      },
      { sorted: true },
    );
  }

  /**
   * CSV or TSV by DuckDB's writer, in slices of rows: one COPY of the whole output into the
   * worker's in-memory file slows down with the square of its size (1M W1 rows: 10 s, in 20
   * slices: under 2 s). Slices need rows whose rowid is their position: the recipe's output is
   * held first (or, when there is no memory for that, written in one COPY).
   */
  private async exportDelimited(
    dataset: LoadedDataset,
    recipe: Recipe,
    format: 'csv' | 'tsv',
    guard: boolean,
  ): Promise<Blob> {
    const ctx = {
      db: this.db,
      connection: this.connection,
      fileName: (ext: string) => `tidyvault-export-${++this.files}${ext}`,
    };
    const whole = () =>
      this.onOutput(
        dataset,
        recipe,
        (query, columns) =>
          exportDelimited(
            ctx,
            [exportQuery(query, columns, guard, true)],
            format,
            delimitedCopyOptions(format, columns, guard),
          ),
        { sorted: true },
      );
    if (recipe.steps.length > 0 || dataset.rowIdColumn !== undefined) {
      let state: LoadedDataset;
      try {
        state = await this.materialise(dataset, recipe);
      } catch (e) {
        if (e instanceof TidyvaultError && e.code === 'OUT_OF_MEMORY') return whole();
        throw e;
      }
      try {
        return await this.exportDelimited(state, EMPTY_RECIPE, format, guard);
      } finally {
        await this.dropState(state);
      }
    }
    return this.onOutput(
      dataset,
      EMPTY_RECIPE,
      async (query, columns) => {
        const rows = Math.max(1000, Math.floor(EXPORT_SLICE_CELLS / Math.max(1, columns.length)));
        const slices: Select[] = [];
        for (let from = 0; from === 0 || from < dataset.rowCount; from += rows) {
          const where = and(bin('>=', col(ROW_ID), lit(from)), bin('<', col(ROW_ID), lit(from + rows)));
          slices.push(exportQuery({ ...query, where }, columns, guard, true));
        }
        return this.connection.exclusive((connection) =>
          exportDelimited(
            { ...ctx, connection },
            slices,
            format,
            delimitedCopyOptions(format, columns, guard),
          ),
        );
      },
      { sorted: true },
    );
  }

  /**
   * The recipe's output held as a new table, rows in the recipe's order (so its rowid is the
   * row's position): reads of that recipe state (pages, counts, profiles, facets, exports) then
   * run no steps. Release it with dropState(); it costs about as much memory as the data.
   * The steps before each cluster-merge step are held first, so that they run once (not once to
   * key the column's distinct values and again for the output); that table is read only by the
   * next one, so it keeps each row's position as a column instead of being sorted.
   */
  async materialise(
    dataset: LoadedDataset,
    recipe: Recipe,
    o: { background?: boolean } = {},
  ): Promise<LoadedDataset> {
    const at = recipe.steps.findIndex((step, i) => i > 0 && step.op === 'cluster-merge');
    if (at < 0) return this.materialiseNow(dataset, recipe, o);
    const before = await this.materialiseNow(
      dataset,
      { ...recipe, steps: recipe.steps.slice(0, at) },
      { ...o, unsorted: true },
    );
    try {
      return await this.materialise(before, { ...recipe, steps: recipe.steps.slice(at) }, o);
    } catch (e) {
      // The rest ran on a table of the first `at` steps: its errors count steps from there.
      throw countingStepsFrom(at, e);
    } finally {
      await this.dropState(before);
    }
  }

  private async materialiseNow(
    dataset: LoadedDataset,
    recipe: Recipe,
    o: { background?: boolean; unsorted?: boolean },
  ): Promise<LoadedDataset> {
    const table = this.nextTable();
    return this.onOutput(
      dataset,
      recipe,
      async (compiled, columns) => {
        // Unsorted only when the row id column alone gives the order (not sort-rows' keys).
        const inRowIdOrder = o.unsorted ? forTableInRowIdOrder(compiled) : undefined;
        const byPosition = inRowIdOrder?.byPosition === true;
        const query = inRowIdOrder?.query ?? compiled;
        const create = statement({ kind: 'createTable', name: table, query });
        // In the background, a page asked for meanwhile (from an earlier state) goes first.
        await (o.background ? this.connection.runInBackground(create) : this.connection.run(create));
        const rowCount = await count(this.connection, table);
        return { table, columns, rowCount, warnings: [], ...(byPosition ? { rowIdColumn: ROW_ID } : {}) };
      },
      o.unsorted ? { sorted: true, keepRowId: true } : { sorted: true, intoTable: true },
    ).catch(async (e: unknown) => {
      await dropTable(this.connection, table).catch(() => undefined);
      throw e;
    });
  }

  /** Drops a table made by materialise(), and its nearest-neighbour maps (key tables stay for other states). */
  async dropState(state: LoadedDataset): Promise<void> {
    await dropTable(this.connection, state.table);
    await this.clusterKeys.forget(state.table);
  }

  /** Fills the key tables the recipe's cluster-merge steps join, once per distinct value. */
  private async fillClusterKeys(
    dataset: LoadedDataset,
    recipe: Recipe,
    upTo?: number,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.clusterKeys.prepareRecipe(
      recipe,
      upTo,
      dataset.table,
      (i) => this.compile(dataset, recipe, { upTo: i }).query,
      signal,
    );
  }

  /** DuckDB's own accounting by tag (`duckdb_memory()`), as engine-node's memoryUsage. */
  async memoryUsage(): Promise<{ tag: string; memoryBytes: number; temporaryBytes: number }[]> {
    const rows = await this.rows({
      kind: 'select',
      columns: [
        { expr: col('tag') },
        { expr: col('memory_usage_bytes') },
        { expr: col('temporary_storage_bytes') },
      ],
      from: { kind: 'tableFunction', fn: 'duckdb_memory', args: [] },
    });
    return rows.map(([tag, m, t]) => ({
      tag: String(tag),
      memoryBytes: Number(m),
      temporaryBytes: Number(t),
    }));
  }

  async drop(dataset: LoadedDataset): Promise<void> {
    await dropTable(this.connection, dataset.table);
    await this.clusterKeys.clear();
  }

  /** Ends the worker: DuckDB's memory, every table and registered file go with it. */
  async close(): Promise<void> {
    try {
      await this.connection.raw.close();
      await this.db.terminate();
    } finally {
      this.worker.terminate();
    }
  }

  /** DuckDB errors from running a recipe, in words that name what the user can fix. */
  private async execute<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof TidyvaultError) throw e;
      const message = duckdbReason(e);
      if (isOutOfMemory(message)) {
        throw new TidyvaultError(
          'OUT_OF_MEMORY',
          `not enough memory to run the recipe (${message}) in this browser tab; use the CLI (tidyvault clean) or a Tidyvault server`,
        );
      }
      throw recipeExecutionError(message);
    }
  }
}
