import {
  addStep,
  canRedo,
  canUndo,
  currentRecipe,
  emptyHistory,
  headPageQuery,
  replaceRecipe as replaceInHistory,
  isTidyvaultError,
  recipeChangedError,
  viewFilterError,
  parseRecipe,
  pagePlan,
  parseStep,
  rangePageQuery,
  answersFromFirstRows,
  firstRowsPage,
  redo,
  undo,
  ProfileMemo,
  valueChecks,
  type History,
  type LoadedDataset,
  type PagePlan,
} from '@tidyvault/core';
import { BackendError, type Backend, type Upload, type UploadOptions } from './backend.js';
import type { LocalEngine } from './local-engine.js';
import { HeapBudget, LocalStates } from './local-states.js';
import type {
  Condition,
  DatasetDetail,
  DatasetSummary,
  HistogramOf,
  HistoryState,
  Location,
  Me,
  Recipe,
  Step,
} from './types.js';

const STATUS: Record<string, number> = {
  RECIPE_INVALID: 400,
  IMPORT_EMPTY: 400,
  IMPORT_BINARY: 400,
  IMPORT_ENCODING: 400,
  IMPORT_FORMAT: 400,
  IMPORT_RAGGED: 400,
  IMPORT_LIMIT: 413,
  OUT_OF_MEMORY: 507,
  CANCELLED: 499,
};

/** Engine errors in the shape the workbench shows (same codes and messages as the server's). */
function toBackendError(e: unknown): unknown {
  if (!isTidyvaultError(e)) return e;
  return new BackendError(STATUS[e.code] ?? 422, e.code, e.message, e.location.step, e.location.column);
}

async function wrap<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw toBackendError(e);
  }
}

interface Entry {
  summary: DatasetSummary;
  data: LoadedDataset;
  /** Table bytes the source is expected to take (the load estimate's). */
  tableBytes: number;
  states: LocalStates;
  history: History;
  counts: Map<string, number>;
  /** Profiles of the recipe's states (a step reprofiles only the columns it changed). */
  profiles: ProfileMemo;
  accesses: { at: string; user: string; op: string }[];
  /** Aborted when the recipe changes or the dataset closes: a nearest-neighbour merge's page stops clustering. */
  changed: AbortController;
}

const withFilter = (recipe: Recipe, where?: Condition): Recipe =>
  where ? { ...recipe, steps: [...recipe.steps, { op: 'filter-rows', where } as Step] } : recipe;

/** `work` on the steps followed by the view filter; an error of the filter's is worded as the filter's, not a step's. */
async function filtered<T>(
  rest: Recipe,
  where: Condition | undefined,
  work: (recipe: Recipe) => Promise<T>,
): Promise<T> {
  const recipe = withFilter(rest, where);
  try {
    return await work(recipe);
  } catch (e) {
    throw where ? viewFilterError(e, recipe.steps.length) : e;
  }
}

const view = (h: History): HistoryState => ({
  recipe: currentRecipe(h),
  cursor: h.cursor,
  steps: h.steps.length,
  canUndo: canUndo(h),
  canRedo: canRedo(h),
});

/**
 * The workbench on this device: DuckDB-WASM in a Web Worker of this tab. Files are read from
 * the disk by the browser and never sent anywhere; closing or reloading the tab ends it all.
 */
export class LocalBackend implements Backend {
  readonly kind = 'device' as const;
  private engine: Promise<LocalEngine> | undefined;
  private readonly entries = new Map<string, Entry>();
  private counter = 0;
  private readonly budget: HeapBudget;

  /** @param heapBytes the heap DuckDB-WASM's tables and their working memory may use (wasm32: about 3 GB of 4) */
  constructor(
    private readonly openEngine: () => Promise<LocalEngine>,
    heapBytes = 3 * 2 ** 30,
  ) {
    this.budget = new HeapBudget(heapBytes);
  }

  private getEngine(): Promise<LocalEngine> {
    this.engine ??= this.openEngine().catch((e: unknown) => {
      this.engine = undefined;
      throw e;
    });
    return this.engine;
  }

  private entry(id: string, op: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new BackendError(404, 'NOT_FOUND', 'no such dataset');
    e.accesses.push({ at: new Date().toISOString(), user: 'you', op });
    if (e.accesses.length > 50) e.accesses.shift();
    return e;
  }

  prepare(): void {
    // A failure here is reported by the upload that needs the engine.
    this.getEngine().catch(() => undefined);
  }

  me = async (): Promise<Me> => ({ user: 'you (this device)', csrfToken: '', csrfHeader: '' });

  upload(file: File, o: UploadOptions, onProgress: (sent: number, total: number) => void): Upload {
    let cancelled = false;
    const done = wrap(async () => {
      const engine = await this.getEngine();
      const estimate = await engine.estimateFile(file);
      if (!estimate.fits)
        throw new BackendError(
          413,
          'TOO_BIG_FOR_BROWSER',
          estimate.message ??
            'this file will not fit in the browser; use the CLI (tidyvault clean) or a Tidyvault server',
        );
      onProgress(0, file.size);
      const data = await engine.loadFile(file, file.name, {
        ...(o.delimiter ? { delimiter: o.delimiter } : {}),
        ...(o.header !== undefined ? { header: o.header } : {}),
        ...(o.encoding ? { encoding: o.encoding as 'utf-8' } : {}),
        ...(o.sheet ? { sheet: o.sheet } : {}),
        ...(o.ragged ? { ragged: o.ragged } : {}),
      });
      if (cancelled) {
        await engine.drop(data);
        throw new BackendError(0, 'CANCELLED', 'upload cancelled');
      }
      onProgress(file.size, file.size);
      const id = `local-${++this.counter}`;
      const now = new Date().toISOString();
      const summary: DatasetSummary = {
        id,
        name: file.name,
        rows: data.rowCount,
        columns: data.columns,
        createdAt: now,
        expiresAt: '',
        warnings: data.warnings,
      };
      const tableBytes = Math.ceil(estimate.bytes / 2);
      this.budget.hold(tableBytes);
      this.entries.set(id, {
        summary,
        data,
        tableBytes,
        states: new LocalStates(engine, data, this.budget, tableBytes),
        history: emptyHistory(),
        counts: new Map(),
        profiles: new ProfileMemo(data.columns),
        accesses: [],
        changed: new AbortController(),
      });
      return summary;
    });
    return {
      done,
      cancel: () => {
        cancelled = true;
      },
    };
  }

  list = async (): Promise<DatasetSummary[]> => [...this.entries.values()].map((e) => e.summary);

  dataset = async (id: string): Promise<DatasetDetail> => {
    const e = this.entry(id, 'view');
    return { ...e.summary, history: view(e.history) };
  };

  rows = (id: string, offset: number, limit: number, step?: number, where?: Condition) =>
    wrap(async () => {
      const e = this.entry(id, 'rows');
      const { signal } = e.changed;
      const engine = await this.getEngine();
      const all = currentRecipe(e.history);
      const shown = step === undefined ? all : { ...all, steps: all.steps.slice(0, step) };
      // A look at an earlier step makes no state of its own (see LocalStates.read).
      const make = step === undefined || step >= all.steps.length;
      const key = JSON.stringify([shown.steps, where ?? null]);
      const total = async (data: LoadedDataset, recipe: Recipe) => {
        let n = e.counts.get(key);
        if (n === undefined) {
          n = await engine.count(data, recipe);
          e.counts.set(key, n);
        }
        return n;
      };
      // Steps whose head keeps the rows' order, on a table in row order: the page streams (a rowid
      // range when every step is row-wise), with no sort of the whole table.
      const streamed = async (data: LoadedDataset, steps: Recipe['steps'], plan: PagePlan) => {
        const recipe: Recipe = { version: 1, steps };
        if (steps.length > 0) await engine.validate(data, recipe);
        const q =
          plan.head.length === 0
            ? rangePageQuery(data.table, data.columns, steps, offset, limit)
            : headPageQuery(data.table, data.columns, plan, offset, limit);
        const page = await engine.runQuery(q.query, q.columns);
        const n = plan.headKeepsCount ? data.rowCount : await total(data, { version: 1, steps: plan.head });
        return { offset, limit, total: n, columns: page.columns, rows: page.rows };
      };
      // Other steps: the recipe with the page's range. Steps that keep rows in place (a
      // cluster-merge) are computed from the page's rows (see compileOnTable), their total known.
      const ran = async (data: LoadedDataset, recipe: Recipe, plan: PagePlan) => {
        const page = await engine.run(data, recipe, { offset, limit, signal });
        return {
          offset,
          limit,
          total: plan.inPlace ? data.rowCount : await total(data, recipe),
          columns: page.columns,
          rows: page.rows,
        };
      };
      // The first pages after a dedupe (it keeps first occurrences): from the first rows.
      const first = async (data: LoadedDataset, steps: Recipe['steps'], plan: PagePlan) => {
        const { table, columns, rowCount } = data;
        const page = await firstRowsPage(table, columns, rowCount, steps, offset, limit, (q, c) =>
          engine.runQuery(q, c),
        );
        const n = await total(data, { version: 1, steps: plan.head });
        return { offset, limit, total: n, columns: page.columns, rows: page.rows };
      };
      return e.states.read(
        shown,
        (data, rest) =>
          filtered(rest, where, async (recipe) => {
            const plan = pagePlan(recipe.steps, data.columns);
            if (data.rowIdColumn === undefined && plan.head.length === 0)
              return streamed(data, recipe.steps, plan);
            if (answersFromFirstRows(plan, data, offset, limit)) return first(data, recipe.steps, plan);
            return ran(data, recipe, plan);
          }),
        {
          make,
          // While the new state is being made, a page that streams from a state already made.
          soon: (data, rest) => {
            const steps = withFilter(rest, where).steps;
            let plan: PagePlan;
            try {
              plan = pagePlan(steps, data.columns);
            } catch (e) {
              throw where ? viewFilterError(e, steps.length) : e;
            }
            if (plan.headKeepsOrder)
              return () => filtered(rest, where, (recipe) => streamed(data, recipe.steps, plan));
            if (answersFromFirstRows(plan, data, offset, limit))
              return () => filtered(rest, where, (recipe) => first(data, recipe.steps, plan));
            return plan.inPlace
              ? () => filtered(rest, where, (recipe) => ran(data, recipe, plan))
              : undefined;
          },
        },
      );
    });

  profile = (id: string) =>
    wrap(async () => {
      const e = this.entry(id, 'profile');
      const engine = await this.getEngine();
      const recipe = currentRecipe(e.history);
      return e.profiles.get(recipe, (columns) =>
        e.states.read(recipe, (data, rest) => engine.profile(data, rest, 10, { columns })),
      );
    });

  facet = (id: string, column: string, where?: Condition) =>
    wrap(async () => {
      const e = this.entry(id, 'facet');
      const engine = await this.getEngine();
      return e.states.read(currentRecipe(e.history), (data, rest) =>
        filtered(rest, where, (recipe) => engine.facet(data, recipe, column, 1000)),
      );
    });

  histogram = (id: string, column: string, bins: number, where?: Condition, of: HistogramOf = 'value') =>
    wrap(async () => {
      const e = this.entry(id, 'histogram');
      const engine = await this.getEngine();
      return e.states.read(currentRecipe(e.history), (data, rest) =>
        filtered(rest, where, (recipe) => engine.histogram(data, recipe, column, bins, of)),
      );
    });

  cluster = (id: string, column: string, method: string, params: Record<string, number>) =>
    wrap(async () => {
      const e = this.entry(id, 'cluster');
      const engine = await this.getEngine();
      return e.states.read(currentRecipe(e.history), (data, rest) =>
        engine.cluster(data, column, method, params, rest),
      );
    });

  duplicates = (id: string, columns: string[], threshold: number) =>
    wrap(async () => {
      const e = this.entry(id, 'duplicates');
      const engine = await this.getEngine();
      return e.states.read(currentRecipe(e.history), (data, rest) =>
        engine.duplicates(data, rest, columns, { threshold }, new AbortController().signal),
      );
    });

  /** Check the changed history's recipe against the data; only then make it current. */
  private change(id: string, op: string, f: (h: History) => History): Promise<HistoryState> {
    return wrap(async () => {
      const e = this.entry(id, op);
      const next = f(e.history);
      const engine = await this.getEngine();
      const recipe = currentRecipe(next);
      await engine.validate(e.data, recipe);
      // A step that may refuse to make a value (one past the most a cell may hold) is computed
      // over every row now, so that it is refused here rather than failing every read after.
      for (const check of valueChecks(currentRecipe(e.history), recipe)) {
        const upTo: Recipe = { version: 1, steps: recipe.steps.slice(0, check.upTo) };
        for (const column of check.columns)
          await e.states.read(upTo, (data, rest) => engine.histogram(data, rest, column, 1, 'length'));
      }
      e.history = next;
      e.changed.abort(recipeChangedError());
      e.changed = new AbortController();
      return view(next);
    });
  }

  addStep = (id: string, step: Step) =>
    wrap(async () => {
      const held = this.entries.get(id)?.history;
      const s = parseStep(step, held ? currentRecipe(held).steps.length : 0);
      return this.change(id, 'step', (h) => addStep(h, s));
    });
  undo = (id: string) => this.change(id, 'undo', undo);
  redo = (id: string) => this.change(id, 'redo', redo);
  replaceRecipe = (id: string, recipe: Recipe) =>
    wrap(async () => {
      const r = parseRecipe(recipe);
      return this.change(id, 'recipe.replace', (h) => replaceInHistory(h, r));
    });

  exportFile = (id: string, format: string, formulaGuard: boolean) =>
    wrap(async () => {
      const e = this.entry(id, 'export');
      const engine = await this.getEngine();
      const blob = await e.states.read(currentRecipe(e.history), (data, rest) =>
        engine.export(data, rest, format, { formulaGuard }),
      );
      return URL.createObjectURL(blob);
    });

  location = async (id: string): Promise<Location> => {
    const e = this.entry(id, 'location');
    return {
      id,
      where: 'device',
      description:
        'in the memory of this browser tab only (DuckDB-WASM in a Web Worker); nothing is sent anywhere; closing or reloading the tab deletes it',
      // The data, and the recipe states held to answer without running the recipe again.
      approxBytes: e.data.rowCount * Math.max(1, e.data.columns.length) * 16 * (1 + e.states.held),
      onDisk: [],
      onDiskNote: 'nothing of this dataset is written to disk, browser storage included',
      spill: 'off',
      owner: 'you',
      createdAt: e.summary.createdAt,
      lastAccessAt: new Date().toISOString(),
      expiresAt: '',
      recentAccesses: e.accesses.slice(-20),
      caveat: 'the browser frees the memory when the tab closes; it does not promise to overwrite it',
    };
  };

  remove = (id: string) =>
    wrap(async () => {
      const e = this.entries.get(id);
      if (!e) return;
      this.entries.delete(id);
      e.changed.abort(recipeChangedError());
      await e.states.dispose();
      this.budget.give(e.tableBytes);
      await (await this.getEngine()).drop(e.data);
    });
}
