import {
  answersFromFirstRows,
  countingStepsFrom,
  firstRowsPage,
  headPageQuery,
  pagePlan,
  rangePageQuery,
  recipeChangedError,
  shapes,
  type LoadedDataset,
  type Recipe,
  type Step,
  type TableResult,
} from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import { select, statement } from '@tidyvault/sql';
import { notFound } from '../errors.js';
import { RowCounts } from './count.js';
import type { EngineMemory } from './memory.js';
import { page as statePage } from './page.js';

/** Materialised recipe states kept per dataset: the current one and the most recently used other (undo). */
const KEPT_STATES = 2;
/** Profiles and facets remembered per state. */
const MEMO_ENTRIES = 32;
/**
 * A page is answered before its state exists only when the state is made from at least this many
 * rows; below, making it takes a few tens of milliseconds and the page waits for it (one query,
 * not two).
 */
export const DIRECT_PAGE_ROWS = 50_000;
/**
 * A page under a reordering step (a sort) is a top-N of the rows before it; deeper than this, a
 * state being made is waited for instead (a top-N that deep costs about a full sort).
 */
const DIRECT_TOP_N = 10_000;

type Connection = Awaited<ReturnType<NodeEngine['connect']>>;

/** A state being made in the background. */
interface Job {
  key: string;
  cancelled: boolean;
  /** Its table is being made (it has the engine's table lock), not only waiting to. */
  started: boolean;
  /** Reads (profile, facet…) waiting for it. */
  readers: number;
  /** Its own connection while the CREATE TABLE runs (interrupted on cancel). */
  connection?: Connection;
  /** Aborted on cancel: stops a nearest-neighbour cluster-merge's clustering before the table. */
  abort: AbortController;
}

const cancelledError = () => Object.assign(new Error('recipe state no longer needed'), { code: 'CANCELLED' });

/** The result of a recipe prefix, held as an engine table whose rowid is the row's position. */
interface State {
  key: string;
  steps: number;
  data: LoadedDataset;
  /** Bytes the table takes in the engine (0 for the source, which the dataset owns). */
  bytes: number;
  users: number;
  doomed: boolean;
  dropped: boolean;
  lastUse: number;
  /** Profiles and facets of this state, computed once. */
  memo: Map<string, Promise<unknown>>;
}

/**
 * What a read runs against: a materialised state with no steps left, or the longest held prefix
 * plus the rest of the recipe.
 */
export interface View {
  data: LoadedDataset;
  recipe: Recipe;
  /** Remember a profile or facet of this state (same recipe state → same answer). */
  memo: <T>(key: string, compute: () => Promise<T>) => Promise<T>;
}

/** A page of rows under a recipe, and how many rows the recipe gives (null: not counted yet, see page()). */
export interface Page extends TableResult {
  total: number | null;
}

const NO_STEPS: Recipe = { version: 1, steps: [] };
/** Errors of the steps run on a held state, their step numbered as in the whole recipe. */
const numbered =
  (base: { steps: number }) =>
  (e: unknown): never => {
    throw countingStepsFrom(base.steps, e);
  };

const keyOf = (recipe: Recipe, upTo = recipe.steps.length) => JSON.stringify(recipe.steps.slice(0, upTo));

export interface StatesOptions {
  engine: NodeEngine;
  memory: EngineMemory;
  source: LoadedDataset;
  /** May `bytes` more be held? (the server's memory budget) */
  room: (bytes: number) => boolean;
  /** false: never materialise. */
  enabled?: boolean;
  /** Row counts of recipes run on a state (totals of pages answered before their state exists). */
  counts?: RowCounts;
  /** Answer pages before their state exists from bases of at least this many rows (default DIRECT_PAGE_ROWS). */
  directPageRows?: number;
  /** Materialising failed (the read then runs the recipe itself, which reports the error). */
  onFailure?: (e: unknown) => void;
  onMaterialise?: (info: { steps: number; fromSteps: number; bytes: number; ms: number }) => void;
}

/**
 * Prefix caching of recipe results. The result of a recipe state is made once as an engine table
 * (`CREATE TABLE … AS` the compiled query, rows in the recipe's order, so rowid = position) and
 * reused by every page, facet, profile, cluster and export of that state. A state is made from
 * the longest prefix already held (or being made), so appending a step computes only that step.
 *
 * A page does not wait for its state: the state is made in the background, on its own
 * connection, while the page is answered from the longest held prefix plus the remaining steps
 * (see core's steps/page-plan.ts): row-wise steps run on the page's rows only, filters stream, a sort is a top-N;
 * only steps such as dedupe, which need every row anyway, wait for the state.
 *
 * States that are not a prefix of the current recipe are dropped when the recipe changes (step,
 * undo, redo, replace), and their making is interrupted; all of them go when the dataset is
 * purged; a table is dropped once no read uses it.
 */
export class RecipeStates {
  private readonly states = new Map<string, State>();
  private readonly making = new Map<string, Promise<State | undefined>>();
  private readonly jobs = new Map<string, Job>();
  /** States not kept: for want of room (bytes it took, retried once there is room) or failed (Infinity). */
  private readonly refused = new Map<string, number>();
  private readonly source: State;
  private counter = 0;
  private currentKey = '[]';
  private disposed = false;
  private readonly drops = new Set<Promise<void>>();
  private readonly counts: RowCounts;
  /** Reads running on any of this dataset's tables (the source included), and who waits for none. */
  private active = 0;
  private readonly idle: (() => void)[] = [];
  /** Reads that stop when their recipe stops leading to the current one (see watch()). */
  private readonly watchers = new Set<{ key: string; abort: AbortController }>();

  constructor(private readonly o: StatesOptions) {
    this.source = this.state('[]', 0, o.source, 0);
    this.counts = o.counts ?? new RowCounts();
  }

  private state(key: string, steps: number, data: LoadedDataset, bytes: number): State {
    return {
      key,
      steps,
      data,
      bytes,
      users: 0,
      doomed: false,
      dropped: false,
      lastUse: performance.now(),
      memo: new Map(),
    };
  }

  /** Engine bytes held by materialised states. */
  get bytes(): number {
    let n = 0;
    for (const s of this.states.values()) n += s.bytes;
    return n;
  }

  /** Materialised states held (for tests and the location answer). */
  get tables(): { steps: number; rows: number; bytes: number }[] {
    return [...this.states.values()].map((s) => ({ steps: s.steps, rows: s.data.rowCount, bytes: s.bytes }));
  }

  /** States being made now. */
  get pending(): number {
    return this.making.size;
  }

  /** Resolves once no state is being made (those started meanwhile included). */
  async settled(): Promise<void> {
    while (this.making.size > 0) await Promise.allSettled([...this.making.values()]);
  }

  /**
   * Like `read`, but when the recipe's state is still being made and the steps it lacks are
   * row-wise, filters or counted (a trim, a filter, a sort), `read` runs them on the longest held
   * prefix at once: a read of a few columns (a profile of the columns a step changed) then costs
   * those columns, not the whole table being made. Other steps (dedupe, cluster-merge: a profile
   * of its column computes most of what the state does) wait for the state.
   */
  async readSoon<T>(recipe: Recipe, read: (view: View) => Promise<T>): Promise<T> {
    if (this.disposed) throw notFound();
    if (this.o.enabled !== false && !this.states.has(keyOf(recipe))) {
      const base = this.longestHeld(recipe, recipe.steps.length);
      const steps = recipe.steps.slice(base.steps);
      if (steps.length > 0 && shapes(steps, base.data.columns).every((x) => x !== 'other')) {
        this.start(recipe);
        return this.usingState(base, () =>
          read({ data: base.data, recipe: { version: 1, steps }, memo: (_k, compute) => compute() }).catch(
            numbered(base),
          ),
        );
      }
    }
    return this.read(recipe, read);
  }

  /** Run `read` against the recipe's result; its table is not dropped while `read` runs. */
  async read<T>(recipe: Recipe, read: (view: View) => Promise<T>): Promise<T> {
    let state = await this.obtain(recipe);
    // Dropped by a recipe change between being made and being used: once more, then run the recipe.
    if (state?.dropped) state = await this.obtain(recipe);
    // The dataset was purged meanwhile (its state's making stopped): it is gone, not failed.
    if (this.disposed) throw notFound();
    if (!state || state.dropped) {
      // Not materialised (no room, it failed, or the recipe is no longer current): run the rest
      // of the recipe on the longest prefix held.
      const base = this.hold(this.longestHeld(recipe, recipe.steps.length));
      try {
        const rest: Recipe = { version: 1, steps: recipe.steps.slice(base.steps) };
        return await read({ data: base.data, recipe: rest, memo: (_k, compute) => compute() }).catch(
          numbered(base),
        );
      } finally {
        this.release(base);
      }
    }
    this.hold(state);
    try {
      return await read({
        data: state.data,
        recipe: NO_STEPS,
        memo: (key, compute) => this.memo(state, key, compute),
      });
    } finally {
      // Made for a recipe that moved on meanwhile (an undo, a replace): not worth keeping.
      if (!state.doomed && state !== this.source && !this.leadsToCurrent(state.key)) this.doom(state);
      this.release(state);
    }
  }

  /**
   * Rows `offset`… of the recipe's result (then `filter`, a view filter, when given) and their
   * total. The recipe's state is made in the background if it is current (or a prefix of it);
   * the page is answered from what is held now unless that would cost as much as the state.
   * With `totalLater`, a total that would need its own count (the rows of a dedupe or a filter,
   * before their state exists) is left out (null), so the rows are not kept waiting for it:
   * total() gives it.
   */
  async page(
    recipe: Recipe,
    offset: number,
    limit: number,
    filter?: Step,
    o: { totalLater?: boolean } = {},
  ): Promise<Page> {
    this.start(recipe);
    const wanted: Recipe = filter ? { ...recipe, steps: [...recipe.steps, filter] } : recipe;
    const n = wanted.steps.length;
    const directRows = this.o.directPageRows ?? DIRECT_PAGE_ROWS;
    for (;;) {
      if (this.disposed) throw notFound();
      const base = this.longestHeld(wanted, n);
      if (base.steps === n) return this.usingState(base, () => this.statePage(base, offset, limit));
      const pending = this.pendingPrefix(wanted, base.steps);
      if (pending && base.data.rowCount < directRows) {
        await pending;
        continue;
      }
      const steps = wanted.steps.slice(base.steps);
      const plan = pagePlan(steps, base.data.columns);
      // A dedupe keeps first occurrences: its first rows come from the first rows of its input.
      const firstRows = answersFromFirstRows(plan, base.data, offset, limit);
      const direct =
        plan.headKeepsOrder ||
        plan.inPlace ||
        firstRows ||
        (!plan.headOther && offset + limit <= DIRECT_TOP_N);
      if (!direct && pending) {
        await pending;
        continue;
      }
      return this.usingState(base, async () => {
        const { engine } = this.o;
        const countFrom = numbered(base);
        const counts = o.totalLater ? undefined : this.counts;
        const rest: Recipe = { version: 1, steps };
        if (plan.head.length === 0) {
          const q = rangePageQuery(base.data.table, base.data.columns, steps, offset, limit);
          return {
            ...(await engine.runQuery(q.query, q.columns).catch(countFrom)),
            total: base.data.rowCount,
          };
        }
        if (plan.inPlace) {
          // A cluster-merge: the page's rows of the base, the merged column's value counts read
          // from every row (engine.run computes a page of such steps from the page's rows).
          const result = await this.watch(recipe, (signal) =>
            engine.run(base.data, rest, { offset, limit, signal }),
          ).catch(countFrom);
          return { ...result, total: base.data.rowCount };
        }
        if (firstRows) {
          const { table, columns, rowCount } = base.data;
          const result = await firstRowsPage(table, columns, rowCount, steps, offset, limit, (q, c) =>
            engine.runQuery(q, c),
          ).catch(countFrom);
          return {
            ...result,
            total: counts
              ? await counts.count(engine, base.data, { version: 1, steps: plan.head }).catch(countFrom)
              : null,
          };
        }
        if (plan.headOther) {
          // Dedupe, cluster-merge…: the whole recipe with LIMIT/OFFSET (what run() does), counted.
          const result = await this.watch(recipe, (signal) =>
            engine.run(base.data, rest, { offset, limit, signal }),
          ).catch(countFrom);
          return {
            ...result,
            total: counts ? await counts.count(engine, base.data, rest).catch(countFrom) : null,
          };
        }
        const q = headPageQuery(base.data.table, base.data.columns, plan, offset, limit);
        const result = await engine.runQuery(q.query, q.columns).catch(countFrom);
        const total = plan.headKeepsCount
          ? base.data.rowCount
          : counts
            ? await counts.count(engine, base.data, { version: 1, steps: plan.head }).catch(countFrom)
            : null;
        return { ...result, total };
      });
    }
  }

  /**
   * Runs `work` with a signal aborted once `recipe` no longer leads to the current recipe (an
   * undo, a replace) or the dataset goes: a nearest-neighbour cluster-merge's clustering (seconds
   * to minutes on many distinct values, and one at a time for the whole server) then stops.
   */
  private async watch<T>(recipe: Recipe, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const watcher = { key: keyOf(recipe), abort: new AbortController() };
    this.watchers.add(watcher);
    try {
      return await work(watcher.abort.signal);
    } finally {
      this.watchers.delete(watcher);
    }
  }

  private stopWatchers(all: boolean): void {
    for (const w of this.watchers)
      if (all || !this.leadsToCurrent(w.key)) {
        w.abort.abort(recipeChangedError());
        this.watchers.delete(w);
      }
  }

  /**
   * How many rows the recipe gives (then `filter`): its state's, once made (it is waited for
   * when being made, rather than counted beside it), or counted on the longest held prefix.
   */
  async total(recipe: Recipe, filter?: Step): Promise<number> {
    this.start(recipe);
    return this.read(recipe, (view) => {
      const steps = filter ? [...view.recipe.steps, filter] : view.recipe.steps;
      return steps.length === 0
        ? Promise.resolve(view.data.rowCount)
        : this.counts.count(this.o.engine, view.data, { version: 1, steps });
    });
  }

  private async statePage(state: State, offset: number, limit: number): Promise<Page> {
    return { ...(await statePage(this.o.engine, state.data, offset, limit)), total: state.data.rowCount };
  }

  private async usingState<T>(state: State, work: () => Promise<T>): Promise<T> {
    this.hold(state);
    try {
      return await work();
    } finally {
      this.release(state);
    }
  }

  private hold(state: State): State {
    state.users++;
    state.lastUse = performance.now();
    this.active++;
    return state;
  }

  private release(state: State): void {
    state.users--;
    if (state.doomed && state.users === 0) this.dropTable(state);
    if (--this.active === 0) for (const wake of this.idle.splice(0)) wake();
  }

  private memo<T>(state: State, key: string, compute: () => Promise<T>): Promise<T> {
    const known = state.memo.get(key);
    if (known) return known as Promise<T>;
    const p = compute();
    if (state.memo.size >= MEMO_ENTRIES) state.memo.delete(state.memo.keys().next().value!);
    state.memo.set(key, p);
    p.catch(() => state.memo.delete(key));
    return p;
  }

  /** The longest prefix of `recipe` (at most `upTo` steps) held as a table; the source at least. */
  private longestHeld(recipe: Recipe, upTo: number): State {
    for (let k = upTo; k > 0; k--) {
      const s = this.states.get(keyOf(recipe, k));
      if (s) return s;
    }
    return this.source;
  }

  /** The longest prefix of `recipe` longer than `after` steps being made now. */
  private pendingPrefix(recipe: Recipe, after: number, upTo = recipe.steps.length) {
    for (let k = upTo; k > after; k--) {
      const p = this.making.get(keyOf(recipe, k));
      if (p) return p;
    }
    return undefined;
  }

  /** The recipe's state: held, being made, or made now (undefined when it is not kept). */
  private async obtain(recipe: Recipe): Promise<State | undefined> {
    if (this.o.enabled === false) return undefined;
    if (recipe.steps.length === 0) return this.source;
    const key = keyOf(recipe);
    const held = this.states.get(key);
    if (held) return held;
    this.start(recipe);
    const job = this.jobs.get(key);
    if (!job) return this.making.get(key);
    job.readers++;
    try {
      return await this.making.get(key);
    } finally {
      job.readers--;
    }
  }

  /**
   * Start making the recipe's state in the background, unless it is held or being made, or is
   * not worth making: not a prefix of the current recipe, refused for want of room (until there
   * is room) or failed (until the recipe changes).
   */
  private start(recipe: Recipe): void {
    if (this.o.enabled === false || this.disposed || recipe.steps.length === 0) return;
    const key = keyOf(recipe);
    if (this.states.has(key) || this.making.has(key) || !this.leadsToCurrent(key)) return;
    const refused = this.refused.get(key);
    if (refused !== undefined && !this.o.room(refused)) return;
    this.refused.delete(key);
    const job: Job = { key, cancelled: false, started: false, readers: 0, abort: new AbortController() };
    this.jobs.set(key, job);
    const made = this.make(recipe, job).finally(() => {
      this.making.delete(key);
      this.jobs.delete(key);
    });
    this.making.set(key, made);
  }

  private cancel(job: Job): void {
    job.cancelled = true;
    job.abort.abort();
    job.connection?.interrupt();
  }

  private async make(recipe: Recipe, job: Job): Promise<State | undefined> {
    const n = recipe.steps.length;
    // From the longest prefix held, or being made (waiting costs less than computing it again).
    let base = this.longestHeld(recipe, n - 1);
    for (let pending = this.pendingPrefix(recipe, base.steps, n - 1); pending;) {
      await pending;
      if (job.cancelled || this.disposed) return undefined;
      base = this.longestHeld(recipe, n - 1);
      pending = this.pendingPrefix(recipe, base.steps, n - 1);
    }
    // The base may not be dropped while the new state is made from it.
    this.hold(base);
    const started = performance.now();
    const table = `${this.o.source.table}_state_${++this.counter}`;
    const rest: Recipe = { version: 1, steps: recipe.steps.slice(base.steps) };
    let made: { value: { columns: LoadedDataset['columns']; rows: number }; bytes: number };
    try {
      // Checks and cluster-key tables first, under the same lock (a purge clears the engine's
      // shared cluster keys) but unmeasured: those are the engine's bytes, not this state's.
      made = await this.o.memory.create(
        () => this.materialise(job, base.data, rest, table),
        async () => {
          if (job.cancelled || this.disposed) return;
          job.started = true;
          await this.o.engine.prepare(base.data, rest, { signal: job.abort.signal });
        },
      );
    } catch (e) {
      await this.o.memory.drop(() => this.dropStatement(table));
      if (job.cancelled || this.disposed) return undefined;
      this.refused.set(job.key, Infinity);
      this.o.onFailure?.(e);
      return undefined;
    } finally {
      this.release(base);
    }
    const data: LoadedDataset = {
      table,
      columns: made.value.columns,
      rowCount: made.value.rows,
      warnings: [],
    };
    const state = this.state(job.key, n, data, made.bytes);
    const room = this.o.room(made.bytes);
    if (job.cancelled || this.disposed || !room) {
      if (!room && !job.cancelled && !this.disposed) this.refused.set(job.key, made.bytes);
      state.doomed = true;
      this.dropTable(state);
      return undefined;
    }
    this.states.set(job.key, state);
    this.o.onMaterialise?.({
      steps: n,
      fromSteps: base.steps,
      bytes: made.bytes,
      ms: Math.round(performance.now() - started),
    });
    this.trim();
    return state;
  }

  /** CREATE TABLE … AS on a connection of its own (interrupted if the job is cancelled). */
  private async materialise(
    job: Job,
    base: LoadedDataset,
    rest: Recipe,
    table: string,
  ): Promise<{ columns: LoadedDataset['columns']; rows: number }> {
    if (job.cancelled || this.disposed) throw cancelledError();
    const connection = await this.o.engine.connect();
    try {
      job.connection = connection;
      if (job.cancelled) throw cancelledError();
      const columns = await this.o.engine.materialise(base, rest, table, { connection });
      const r = await connection.runAndReadAll(
        select({
          kind: 'select',
          columns: [{ expr: { kind: 'countStar' } }],
          from: { kind: 'table', name: table },
        }),
      );
      return { columns, rows: Number(r.getRowsJson()[0]![0]) };
    } finally {
      job.connection = undefined;
      connection.closeSync();
    }
  }

  /** The recipe changed: states that are not a prefix of it can no longer be used. */
  retain(current: Recipe): void {
    this.currentKey = keyOf(current);
    for (const [key, bytes] of [...this.refused]) {
      if (bytes === Infinity || !this.leadsToCurrent(key)) this.refused.delete(key);
    }
    // States of other recipes stop; so do states of earlier steps still only waiting to be made
    // that no read waits for: the current one is made from what is held (or being made) with
    // all the steps since, in one table instead of one per step (steps posted in a burst).
    for (const job of this.jobs.values()) {
      const intermediate = job.key !== this.currentKey && !job.started && job.readers === 0;
      if (!this.leadsToCurrent(job.key) || intermediate) this.cancel(job);
    }
    this.stopWatchers(false);
    const prefixes = new Set(current.steps.map((_, i) => keyOf(current, i + 1)));
    for (const s of [...this.states.values()]) if (!prefixes.has(s.key)) this.doom(s);
    this.trim();
  }

  /** Is `key` the current recipe or one of its prefixes? (keys are JSON arrays of the steps) */
  private leadsToCurrent(key: string): boolean {
    return key === this.currentKey || this.currentKey.startsWith(key.slice(0, -1) + ',');
  }

  /** Keep the current state and the most recently used few others. */
  private trim(): void {
    const others = [...this.states.values()]
      .filter((s) => s.key !== this.currentKey)
      .sort((a, b) => b.lastUse - a.lastUse || b.steps - a.steps);
    for (const s of others.slice(KEPT_STATES - 1)) this.doom(s);
  }

  /** Drop every materialised state (room for an upload); the source stays. */
  clear(): void {
    for (const s of [...this.states.values()]) this.doom(s);
  }

  /**
   * Stop the states being made, let the reads running finish (new ones are refused), and drop
   * every state table: once this resolves nothing of the dataset's runs or remains but its
   * source table, which the caller drops (a read still running would fail on it, and a query
   * left running at shutdown would outlive the engine's connection).
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const job of this.jobs.values()) this.cancel(job);
    this.stopWatchers(true);
    await this.settled();
    if (this.active > 0) await new Promise<void>((wake) => this.idle.push(wake));
    this.clear();
    await Promise.allSettled([...this.drops]);
  }

  private doom(s: State): void {
    if (s === this.source) return;
    this.states.delete(s.key);
    s.doomed = true;
    if (s.users === 0) this.dropTable(s);
  }

  /** Only the state's own table (engine.drop would also clear the cluster keys all datasets share). */
  private async dropStatement(table: string): Promise<void> {
    await this.o.engine.connection.run(statement({ kind: 'dropTable', name: table, ifExists: true }));
  }

  private dropTable(s: State): void {
    if (s === this.source || s.dropped) return;
    s.dropped = true;
    const p = this.o.memory
      .drop(() => this.dropStatement(s.data.table))
      .then(() => this.o.engine.forgetRelation(s.data.table))
      .catch(() => undefined)
      .finally(() => this.drops.delete(p));
    this.drops.add(p);
  }
}
