import fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  analyzeRecipe,
  compileOnTable,
  forTableInRowIdOrder,
  isKeyCollision,
  keyCollisionClusters,
  keyerFor,
  knnClusters,
  columnProfileQuery,
  readColumnProfile,
  profiledColumns,
  profileSource,
  repairHeaderNames,
  ROW_ID,
  engineCheckError,
  TidyvaultError,
  columnsAre,
  type ClusterMethod,
  type ClusterParams,
  type ClusterResult,
  type Column,
  type ColumnProfile,
  type ProfileOptions,
  type Cell,
  type OnTableOptions,
  type Engine,
  type LoadedDataset,
  type Profile,
  type Recipe,
  type RunOptions,
  type TableResult,
  isOutOfMemory,
  recipeExecutionError,
  countingStepsFrom,
} from '@tidyvault/core';
import { call, col, lit, select, statement, type Expr, type Select } from '@tidyvault/sql';
import { resultRows } from './export/result-rows.js';
import { runExport, type ExportOptions } from './export/run-export.js';
import { dropTable } from './import/create-table.js';
import { importFile } from './import/import-file.js';
import { loadTextRows, type TextRow } from './import/rows.js';
import type { ImportOptions } from './import/types.js';
import { openSandbox, type Sandbox, type SandboxOptions } from './sandbox.js';
import { releaseSpillFolder } from './spill-folder.js';
import { StagingArea } from './staging.js';
import { toCell } from './values.js';
import { ClusterKeys, readDistinctCounts } from './cluster-keys.js';

const PROFILE_CONCURRENCY = 3;

/**
 * Node runs each DuckDB query on a libuv pool thread (UV_THREADPOOL_SIZE, 4 by default), and it
 * holds the thread even while it waits for its connection. Queries on connections from
 * connect() (profiles, background tables) take at most all but two of them, so queries on
 * `connection` (a server's grid pages) always find a thread instead of waiting seconds.
 */
const SIDE_SLOTS = Math.max(1, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 2);

/**
 * Queries on side connections: at most `n` at a time, the others started in arrival order. It
 * knows which connections are running a query, so close() can interrupt them and wait: a
 * connection closed while its query runs deadlocks that query's pool thread (the query drops
 * the last reference to its context while holding its lock), and the process cannot exit.
 */
class Slots {
  private readonly waiting: (() => void)[] = [];
  private readonly running: DuckDBConnection[] = [];
  private readonly idle: (() => void)[] = [];
  private closed = false;
  constructor(private free: number) {}

  async run<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      if (this.closed) throw new TidyvaultError('CANCELLED', 'the engine is closing');
      this.running.push(connection);
      try {
        return await work();
      } finally {
        this.running.splice(this.running.indexOf(connection), 1);
      }
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
      if (this.running.length === 0 && this.waiting.length === 0)
        for (const wake of this.idle.splice(0)) wake();
    }
  }

  /** Interrupt the queries running now; they fail with DuckDB's "Interrupted" error. */
  interrupt(): void {
    for (const c of this.running) c.interrupt();
  }

  /** Interrupt the queries running, refuse those waiting and any later; resolves once none runs. */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.running) c.interrupt();
    if (this.running.length === 0 && this.waiting.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }
}

/** How a caller follows and stops `cluster()`. */
export interface ClusterOptions {
  /** Fired: the promise rejects with a TidyvaultError of code CANCELLED (checked between phases; kNN stops within ~25 ms). */
  signal?: AbortSignal;
  /** Called with 0–100 while nearest-neighbour clustering (levenshtein, ppm) runs. */
  onProgress?: (percent: number) => void;
}

const cancelled = () => new TidyvaultError('CANCELLED', 'cancelled');

export interface MaterialiseOptions {
  /** Run the CREATE TABLE on this connection (from connect()) instead of `connection`. */
  connection?: DuckDBConnection;
}

export interface NodeEngineOptions extends SandboxOptions {
  /** Called with 0–100 while long queries run. */
  onProgress?: (percent: number) => void;
}

/** Native DuckDB behind the shared Engine interface, locked down at start. */
export class NodeEngine implements Engine {
  private counter = 0;
  private readonly clusterKeys = new ClusterKeys(() => this.connection);
  /** Queries running on connections from connect() (see SIDE_SLOTS). */
  private readonly side = new Slots(SIDE_SLOTS);
  private constructor(
    private readonly sandbox: Sandbox,
    readonly staging: StagingArea,
    private readonly onProgress?: (percent: number) => void,
  ) {}

  static async open(o: NodeEngineOptions = {}): Promise<NodeEngine> {
    const staging = new StagingArea();
    try {
      const sandbox = await openSandbox({
        ...o,
        trackProgress: o.onProgress !== undefined,
        allowedDirectories: [...(o.allowedDirectories ?? []), staging.dir + '/'],
      });
      return new NodeEngine(sandbox, staging, o.onProgress);
    } catch (e) {
      staging.dispose();
      throw e;
    }
  }

  get connection(): DuckDBConnection {
    return this.sandbox.connection;
  }

  /** Spill files a process that is gone left in the spill folder, deleted at start. */
  get spillSwept(): readonly string[] {
    return this.sandbox.spillSwept;
  }

  /**
   * Another connection to the same sandboxed database (same tables, same locked settings), for
   * work that must not queue behind, or hold up, queries on `connection`. Close it when done.
   */
  connect(): Promise<DuckDBConnection> {
    return this.sandbox.connect();
  }

  /** Whether tables are compressed at compact() (NodeEngineOptions.compressTables). */
  get compressesTables(): boolean {
    return this.sandbox.database !== 'memory';
  }

  /**
   * Compress the tables made since the last call (a checkpoint of the in-memory database: a 1M-row
   * text table goes from about 224 MiB to 53 MiB, in about a second). Nothing without
   * compressTables. It fails while another connection is writing; call it when none is.
   */
  async compact(): Promise<void> {
    if (!this.compressesTables) return;
    const connection = await this.connect();
    try {
      await connection.run(statement({ kind: 'checkpoint', name: this.sandbox.database }));
    } finally {
      connection.closeSync();
    }
  }

  get settings(): Record<string, string> {
    return this.sandbox.settings;
  }

  /** DuckDB's memory limit in bytes (its setting reads like "1.8 GiB"), or undefined if unreadable. */
  get memoryLimitBytes(): number | undefined {
    return duckdbBytes(this.sandbox.settings.memory_limit ?? '');
  }

  private nextTable(): string {
    return `dataset_${++this.counter}`;
  }

  async importFile(file: string, displayName: string, o: ImportOptions = {}): Promise<LoadedDataset> {
    const table = this.nextTable();
    const result = await this.withProgress(() =>
      importFile(file, { connection: this.connection, staging: this.staging, table, displayName }, o),
    );
    return { table, ...result };
  }

  async loadCsv(name: string, bytes: Uint8Array): Promise<LoadedDataset> {
    const file = this.staging.file('.csv');
    fs.writeFileSync(file, bytes, { mode: 0o600, flag: 'wx' });
    try {
      return await this.importFile(file, name, { format: 'csv' });
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /**
   * Rows that JavaScript read (a database cursor, say) as a new dataset of text columns, in the
   * order they come. `names` are repaired as a file's header is (blank → column_N, a repeat →
   * name_2, compared ignoring case). `displayName` names the source in messages.
   */
  async importRows(
    displayName: string,
    names: readonly string[],
    rows: AsyncIterable<TextRow>,
  ): Promise<LoadedDataset> {
    if (names.length === 0)
      throw new TidyvaultError('IMPORT_EMPTY', `${displayName}: no columns`, { file: displayName });
    const table = this.nextTable();
    const columns = repairHeaderNames(names, { caseInsensitive: true });
    try {
      const rowCount = await loadTextRows(this.connection, table, columns, rows);
      return { table, columns: columns.map((name) => ({ name, type: 'text' })), rowCount, warnings: [] };
    } catch (e) {
      if (!(e instanceof TidyvaultError) && e instanceof Error && isOutOfMemory(e.message))
        throw new TidyvaultError(
          'OUT_OF_MEMORY',
          `${displayName}: not enough memory to load it; raise the memory limit or use a machine with more memory`,
          { file: displayName },
        );
      throw e;
    }
  }

  /** Columns, types and step parameters, then what only DuckDB can judge (RE2 patterns, date formats). */
  async validate(dataset: LoadedDataset, recipe: Recipe): Promise<void> {
    const analysis = analyzeRecipe(recipe, dataset.columns);
    for (const { stepIndex, op, check } of analysis.engineChecks) {
      const fn = check.kind === 'regex' ? 'regexp_matches' : 'try_strptime';
      try {
        await this.connection.run(
          select({ kind: 'select', columns: [{ expr: call(fn, lit(''), { kind: 'param', index: 1 }) }] }),
          [check.value],
        );
      } catch (e) {
        throw engineCheckError(
          stepIndex,
          op,
          check,
          (e as Error).message.split('\n')[0]!.replace(/^[A-Za-z ]+Error: /, ''),
        );
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
   * Run a query built from `recipe`'s compiled SQL (a page of it, say) on `connection`; DuckDB
   * errors are worded as run()'s. The caller has validated the recipe and filled any cluster keys.
   */
  async runQuery(query: Select, columns: Column[]): Promise<TableResult> {
    const reader = await this.execute(() => this.connection.runAndReadAll(select(query)));
    return { columns, rows: reader.getRows().map((r) => r.map(toCell)) };
  }

  async run(dataset: LoadedDataset, recipe: Recipe, o: RunOptions = {}): Promise<TableResult> {
    await this.validate(dataset, recipe);
    return this.clusterKeys.use(async () => {
      await this.fillClusterKeys(dataset, recipe, o.upTo, o.signal);
      const { query, columns } = this.compile(dataset, recipe, o);
      const reader = await this.execute(() => this.connection.runAndReadAll(select(query)));
      return { columns, rows: reader.getRows().map((r) => r.map(toCell)) };
    });
  }

  async export(
    dataset: LoadedDataset,
    recipe: Recipe,
    file: string,
    o: ExportOptions,
  ): Promise<{ rows: number; columns: Column[] }> {
    await this.validate(dataset, recipe);
    return this.clusterKeys.use(async () => {
      const staged = await this.stageClusterMerges(dataset, recipe);
      try {
        const compiled = this.compile(staged.dataset, staged.recipe);
        const rows = await this.execute(() =>
          this.withProgress(() => runExport(this.connection, compiled.query, compiled.columns, file, o)),
        ).catch((e: unknown) => {
          throw countingStepsFrom(staged.offset, e);
        });
        return { rows, columns: compiled.columns };
      } finally {
        await staged.dispose();
      }
    });
  }

  /**
   * The recipe's result handed to `sink` (a database table, say) as a stream of rows in the
   * recipe's order, cells as they are (no formula guard: that is for spreadsheets). Resolves
   * with what `sink` does; DuckDB's errors reach `sink` from the rows, worded as run()'s.
   */
  async exportRows<T>(
    dataset: LoadedDataset,
    recipe: Recipe,
    sink: (columns: Column[], rows: AsyncIterable<Cell[]>) => Promise<T>,
  ): Promise<T> {
    await this.validate(dataset, recipe);
    return this.clusterKeys.use(async () => {
      const staged = await this.stageClusterMerges(dataset, recipe);
      try {
        const { query, columns } = this.compile(staged.dataset, staged.recipe);
        const connection = this.connection;
        async function* rows(): AsyncGenerator<Cell[]> {
          try {
            yield* resultRows(connection, query);
          } catch (e) {
            throw countingStepsFrom(staged.offset, recipeError(e));
          }
        }
        return await sink(columns, rows());
      } finally {
        await staged.dispose();
      }
    });
  }

  /**
   * Keys for a cluster-merge step are read from the distinct values of the step's input, so the
   * steps before it would run twice (once for the keys, once for the output). Instead the input
   * of each later cluster-merge is materialised once, in row order, and the rest of the recipe
   * runs on it. Only inside clusterKeys.use().
   */
  private async stageClusterMerges(
    dataset: LoadedDataset,
    recipe: Recipe,
  ): Promise<{
    dataset: LoadedDataset;
    recipe: Recipe;
    /** How many of the recipe's steps the staged table holds: errors of the rest count from it. */
    offset: number;
    dispose: () => Promise<void>;
  }> {
    const tables: string[] = [];
    const dispose = async () => {
      for (const t of tables.splice(0)) {
        await dropTable(this.connection, t);
        await this.clusterKeys.forget(t);
      }
    };
    try {
      let staged = dataset;
      let steps = recipe.steps;
      for (;;) {
        const at = steps.findIndex((step, i) => i > 0 && step.op === 'cluster-merge');
        if (at < 0) break;
        const prefix: Recipe = { ...recipe, steps: steps.slice(0, at) };
        await this.fillClusterKeys(staged, prefix);
        // Rows keep their order column instead of being sorted into place, unless a sort just
        // before gives their order (its keys, not the row id).
        const compiled = this.compile(staged, prefix, { keepRowId: true });
        const { query, byPosition } = forTableInRowIdOrder(compiled.query);
        const table = this.nextTable();
        tables.push(table);
        const offset = recipe.steps.length - steps.length;
        await this.execute(() =>
          this.withProgress(() =>
            this.connection.run(statement({ kind: 'createTable', name: table, query })),
          ),
        ).catch((e: unknown) => {
          throw countingStepsFrom(offset, e);
        });
        const { rowIdColumn: _, ...before } = staged;
        staged = {
          ...before,
          table,
          columns: compiled.columns,
          ...(byPosition ? { rowIdColumn: ROW_ID } : {}),
        };
        steps = steps.slice(at);
      }
      const rest: Recipe = { ...recipe, steps };
      const offset = recipe.steps.length - steps.length;
      await this.fillClusterKeys(staged, rest).catch((e: unknown) => {
        throw countingStepsFrom(offset, e);
      });
      return { dataset: staged, recipe: rest, offset, dispose };
    } catch (e) {
      await dispose();
      throw e;
    }
  }

  async profile(
    dataset: LoadedDataset,
    recipe: Recipe = { version: 1, steps: [] },
    topN = 10,
    o: ProfileOptions = {},
  ): Promise<Profile> {
    await this.validate(dataset, recipe);
    try {
      return await this.clusterKeys.use(() => this.profileNow(dataset, recipe, topN, o));
    } catch (e) {
      throw duckdbFailure(e);
    }
  }

  private async profileNow(
    dataset: LoadedDataset,
    recipe: Recipe,
    topN: number,
    o: ProfileOptions,
  ): Promise<Profile> {
    await this.fillClusterKeys(dataset, recipe);
    const compiled = this.compile(dataset, recipe);
    const query = compiled.query;
    const columns = profiledColumns(compiled.columns, o.columns);
    const source: Select = { ...query, orderBy: [] };
    const profile: Profile = { rows: 0, columns: new Array<ColumnProfile>(columns.length) };
    // Column queries overlap on a few connections: each has serial phases that leave cores idle.
    // Their own connections, not `connection`: a profile takes seconds, and the short queries on
    // `connection` (a server's grid pages) should not wait for it.
    const connections: DuckDBConnection[] = [];
    try {
      for (let i = 0; i < Math.max(1, Math.min(PROFILE_CONCURRENCY, columns.length)); i++) {
        connections.push(await this.connect());
      }
      let next = 0;
      // The first failure stops every connection after its current query, and only then are the
      // connections closed: closing one while its query runs leaves that query's promise (and
      // its pool thread and slot) unsettled forever.
      const failures: unknown[] = [];
      await this.withProgress(
        () =>
          Promise.all(
            connections.map(async (connection) => {
              for (let i = next++; i < columns.length && failures.length === 0; i = next++) {
                const column = columns[i]!;
                try {
                  const reader = await this.side.run(connection, () =>
                    connection.runAndReadAll(
                      select(
                        columnProfileQuery(profileSource(dataset, recipe, source, column), column, topN),
                      ),
                    ),
                  );
                  const { rows, profile: p } = readColumnProfile(column, reader.getRowObjectsJson()[0] ?? {});
                  profile.rows = rows;
                  profile.columns[i] = p;
                } catch (e) {
                  failures.push(e);
                }
              }
            }),
          ),
        connections[0],
      );
      if (failures.length > 0) throw failures[0];
    } finally {
      for (const c of connections) c.closeSync();
    }
    if (columns.length === 0) profile.rows = dataset.rowCount;
    return profile;
  }

  async cluster(
    dataset: LoadedDataset,
    column: string,
    method: ClusterMethod,
    params: ClusterParams,
    recipe: Recipe = { version: 1, steps: [] },
    o: ClusterOptions = {},
  ): Promise<ClusterResult> {
    if (isKeyCollision(method)) keyerFor(method, params); // an unavailable keyer fails before any work
    const { signal } = o;
    try {
      signal?.throwIfAborted();
      return await this.clusterKeys.use(() => this.clusterNow(dataset, column, method, params, recipe, o));
    } catch (e) {
      // Whatever the abort interrupted (kNN, or a check between DuckDB queries), one error the
      // CLI and the server can map. A DuckDB query already running is not interrupted.
      if (signal?.aborted && !(e instanceof TidyvaultError)) throw cancelled();
      throw duckdbFailure(e);
    }
  }

  private async clusterNow(
    dataset: LoadedDataset,
    column: string,
    method: ClusterMethod,
    params: ClusterParams,
    recipe: Recipe,
    { signal, onProgress }: ClusterOptions,
  ): Promise<ClusterResult> {
    await this.fillClusterKeys(dataset, recipe);
    signal?.throwIfAborted();
    const { query, columns } = this.compile(dataset, recipe);
    const c = columns.find((x) => x.name === column);
    if (!c)
      throw new TidyvaultError('RECIPE_COLUMN', `column "${column}" does not exist; ${columnsAre(columns)}`, {
        column,
      });
    const source: Select = { ...query, orderBy: [] };
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
    // Distinct values and counts read as one string, then clustered in TypeScript: key collision
    // (core's cluster/key-collision.ts) or nearest neighbour (core's cluster/knn).
    const { values, counts } = await this.withProgress(() =>
      readDistinctCounts(this.connection, textSource, column),
    );
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
  }

  /**
   * Fills the key tables the recipe's cluster-merge steps join (core's cluster/key-table.ts),
   * once per distinct value. run/export/profile/cluster call it; code that runs compiled recipe
   * SQL itself must call it first.
   */
  async prepareClusterKeys(
    dataset: LoadedDataset,
    recipe: Recipe,
    upTo?: number,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.clusterKeys.use(() => this.fillClusterKeys(dataset, recipe, upTo, signal));
  }

  /** Only inside clusterKeys.use(), which must not nest (a pending clear waits for it). */
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

  /**
   * Runs `work` on the recipe's output — a query to select from (unsorted unless asked) and its
   * columns — once the recipe is checked and its cluster-merge key tables are filled; a DuckDB
   * error is reported against the recipe. For code that builds its own query on the output.
   */
  async onOutput<T>(
    dataset: LoadedDataset,
    recipe: Recipe,
    work: (source: Select, columns: Column[]) => Promise<T>,
    { sorted = false } = {},
  ): Promise<T> {
    await this.validate(dataset, recipe);
    return this.clusterKeys.use(async () => {
      await this.fillClusterKeys(dataset, recipe);
      const { query, columns } = this.compile(dataset, recipe);
      return this.execute(() => work(sorted ? query : { ...query, orderBy: [] }, columns));
    });
  }

  /**
   * What must exist before the recipe's SQL runs: checks, and key tables of cluster-merge steps
   * (aborting `signal` stops a nearest-neighbour merge's clustering).
   */
  async prepare(dataset: LoadedDataset, recipe: Recipe, o: { signal?: AbortSignal } = {}): Promise<void> {
    await this.validate(dataset, recipe);
    await this.prepareClusterKeys(dataset, recipe, undefined, o.signal);
  }

  /**
   * The recipe's result as a new table, rows inserted in the recipe's order (so its rowid is the
   * row's position). Call prepare() first.
   */
  async materialise(
    dataset: LoadedDataset,
    recipe: Recipe,
    table: string,
    o: MaterialiseOptions = {},
  ): Promise<Column[]> {
    return this.clusterKeys.use(async () => {
      // Again here: a dataset dropped since prepare() may have cleared the key tables.
      await this.fillClusterKeys(dataset, recipe);
      const compiled = this.compile(dataset, recipe, { intoTable: true });
      const create = statement({ kind: 'createTable', name: table, query: compiled.query });
      const { connection } = o;
      await this.execute(() =>
        connection ? this.side.run(connection, () => connection.run(create)) : this.connection.run(create),
      );
      return compiled.columns;
    });
  }

  /** DuckDB's own accounting by tag (`duckdb_memory()`): bytes in memory and bytes spilled. */
  async memoryUsage(): Promise<{ tag: string; memoryBytes: number; temporaryBytes: number }[]> {
    const r = await this.connection.runAndReadAll(
      select({
        kind: 'select',
        columns: [
          { expr: col('tag') },
          { expr: col('memory_usage_bytes') },
          { expr: col('temporary_storage_bytes') },
        ],
        from: { kind: 'tableFunction', fn: 'duckdb_memory', args: [] },
      }),
    );
    return r
      .getRowsJson()
      .map(([tag, m, t]) => ({ tag: String(tag), memoryBytes: Number(m), temporaryBytes: Number(t) }));
  }

  /** The spill files DuckDB holds now (`duckdb_temporary_files()`); none while spilling is off. */
  async temporaryFiles(): Promise<{ path: string; bytes: number }[]> {
    const r = await this.connection.runAndReadAll(
      select({
        kind: 'select',
        columns: [{ expr: col('path') }, { expr: col('size') }],
        from: { kind: 'tableFunction', fn: 'duckdb_temporary_files', args: [] },
      }),
    );
    return r.getRowsJson().map(([p, size]) => ({ path: String(p), bytes: Number(size) }));
  }

  async drop(dataset: LoadedDataset): Promise<void> {
    await dropTable(this.connection, dataset.table);
    await this.clusterKeys.clear();
  }

  /**
   * A table made from a dataset (a recipe state) is gone, dropped by its maker: the
   * nearest-neighbour cluster maps made for it go too.
   */
  forgetRelation(table: string): Promise<void> {
    return this.clusterKeys.forget(table);
  }

  /**
   * Stop the queries running now, on the main connection and the side ones: each fails with
   * DuckDB's "Interrupted" error (checked between vectors, so within moments). For Ctrl+C and
   * shutdown; the engine stays usable.
   */
  interrupt(): void {
    this.connection.interrupt();
    this.side.interrupt();
  }

  /**
   * Close the database. Queries on side connections are interrupted and waited for first; a
   * query still running on `connection` (a caller's) should have been awaited by its caller.
   */
  async close(): Promise<void> {
    try {
      await this.side.close();
      this.connection.closeSync();
      this.sandbox.instance.closeSync();
    } finally {
      if (this.sandbox.spillDirectory !== undefined) releaseSpillFolder(this.sandbox.spillDirectory);
      this.staging.dispose();
    }
  }

  /** DuckDB errors from running a recipe, in words that name what the user can fix. */
  private async execute<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      throw recipeError(e);
    }
  }

  /** Report the progress of the query running on `connection` while `work` runs. */
  private async withProgress<T>(work: () => Promise<T>, connection = this.connection): Promise<T> {
    if (!this.onProgress) return work();
    const report = this.onProgress;
    const timer = setInterval(() => {
      const p = connection.progress;
      if (p.percentage >= 0) report(p.percentage);
    }, 200);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }
}

/**
 * A DuckDB error (a step's own error() on the data, out of memory) from a read that runs the
 * recipe, as recipeError words it; anything else (a defect) as it is.
 */
function duckdbFailure(e: unknown): unknown {
  const message = (e as Error | undefined)?.message;
  return typeof message === 'string' && /^[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)* Error: /.test(message)
    ? recipeError(e)
    : e;
}

/** A DuckDB error from running a recipe, in words that name what the user can fix. */
function recipeError(e: unknown): unknown {
  if (e instanceof TidyvaultError) return e;
  const message = (e as Error).message.split('\n')[0]!.replace(/^[A-Za-z ]+Error: /, '');
  if (isOutOfMemory(message)) {
    return new TidyvaultError(
      'OUT_OF_MEMORY',
      `not enough memory to run the recipe (${message}); raise --memory-limit or use a machine with more memory`,
    );
  }
  return recipeExecutionError(message);
}

const SIZE_UNITS: Record<string, number> = {
  bytes: 1,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
};

/** Bytes of a size as DuckDB prints its settings ("1.8 GiB", "488.2 MiB"); undefined otherwise. */
export function duckdbBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2]!] : undefined;
  return m && unit !== undefined ? Number(m[1]) * unit : undefined;
}
