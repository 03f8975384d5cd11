import type { LoadedDataset, Recipe } from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import { select, statement } from '@tidyvault/sql';
import type { EngineMemory } from './memory.js';

/** Materialised recipe states kept per dataset: the current one and the most recently used other (undo). */
const KEPT_STATES = 2;
/** Profiles and facets remembered per state. */
const MEMO_ENTRIES = 32;

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

/** What a read runs against: a materialised state with no steps left, or the source plus the recipe. */
export interface View {
  data: LoadedDataset;
  recipe: Recipe;
  /** Set when `data` is the recipe's result as a table: rows may be paged by rowid. */
  materialised: boolean;
  /** Remember a profile or facet of this state (same recipe state → same answer). */
  memo: <T>(key: string, compute: () => Promise<T>) => Promise<T>;
}

const NO_STEPS: Recipe = { version: 1, steps: [] };
const keyOf = (recipe: Recipe, upTo = recipe.steps.length) => JSON.stringify(recipe.steps.slice(0, upTo));

export interface StatesOptions {
  engine: NodeEngine;
  memory: EngineMemory;
  source: LoadedDataset;
  /** May `bytes` more be held? (the server's memory budget) */
  room: (bytes: number) => boolean;
  /** false: never materialise. */
  enabled?: boolean;
  /** Materialising failed (the read then runs the recipe itself, which reports the error). */
  onFailure?: (e: unknown) => void;
  onMaterialise?: (info: { steps: number; fromSteps: number; bytes: number; ms: number }) => void;
}

/**
 * Prefix caching of recipe results. The result of a recipe state is made once as an engine table
 * (`CREATE TABLE … AS` the compiled query, rows in the recipe's order, so rowid = position) and
 * reused by every page, facet, profile, cluster and export of that state. A state is made from
 * the longest prefix already held, so appending a step computes only that step. States that are
 * not a prefix of the current recipe are dropped when the recipe changes (step, undo, redo,
 * replace), all of them when the dataset is purged; a table is dropped once no read uses it.
 */
export class RecipeStates {
  private readonly states = new Map<string, State>();
  private readonly making = new Map<string, Promise<State | undefined>>();
  private readonly source: State;
  private counter = 0;
  private currentKey = '[]';
  private disposed = false;
  private readonly drops = new Set<Promise<void>>();

  constructor(private readonly o: StatesOptions) {
    this.source = this.state('[]', 0, o.source, 0);
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
      lastUse: 0,
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

  /** Run `read` against the recipe's result; its table is not dropped while `read` runs. */
  async read<T>(recipe: Recipe, read: (view: View) => Promise<T>): Promise<T> {
    let state = await this.obtain(recipe);
    // Dropped by a recipe change between being found and being used: find (or make) it again.
    while (state?.dropped) state = await this.obtain(recipe);
    if (!state) {
      // Not materialised (no room, or it failed): run the recipe itself, as before caching.
      return read({ data: this.o.source, recipe, materialised: false, memo: (_k, compute) => compute() });
    }
    state.users++;
    state.lastUse = performance.now();
    try {
      return await read({
        data: state.data,
        recipe: NO_STEPS,
        materialised: true,
        memo: (key, compute) => this.memo(state, key, compute),
      });
    } finally {
      state.users--;
      // Made for a recipe that moved on meanwhile (an undo, a replace): not worth keeping.
      if (!state.doomed && state !== this.source && !this.leadsToCurrent(state.key)) this.doom(state);
      else if (state.doomed && state.users === 0) this.dropTable(state);
    }
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

  private async obtain(recipe: Recipe): Promise<State | undefined> {
    if (this.o.enabled === false) return undefined;
    if (recipe.steps.length === 0) return this.source;
    if (this.disposed) return undefined;
    const key = keyOf(recipe);
    const held = this.states.get(key);
    if (held) return held;
    let pending = this.making.get(key);
    if (!pending) {
      pending = this.make(recipe, key).finally(() => this.making.delete(key));
      this.making.set(key, pending);
    }
    return pending;
  }

  private async make(recipe: Recipe, key: string): Promise<State | undefined> {
    const n = recipe.steps.length;
    let base = this.source;
    for (let k = n - 1; k > 0; k--) {
      const s = this.states.get(keyOf(recipe, k));
      if (s) {
        base = s;
        break;
      }
    }
    // The base may not be dropped while the new state is made from it.
    base.users++;
    const started = performance.now();
    const table = `${this.o.source.table}_state_${++this.counter}`;
    let made: { value: LoadedDataset['columns']; bytes: number };
    try {
      const rest: Recipe = { version: 1, steps: recipe.steps.slice(base.steps) };
      // Checks and cluster-key tables first, under the same lock (a purge clears the engine's
      // shared cluster keys) but unmeasured: those are the engine's bytes, not this state's.
      made = await this.o.memory.create(
        () => this.o.engine.materialise(base.data, rest, table),
        () => this.o.engine.prepare(base.data, rest),
      );
    } catch (e) {
      await this.o.memory.drop(() => this.dropStatement(table));
      this.o.onFailure?.(e);
      return undefined;
    } finally {
      base.users--;
      if (base.doomed && base.users === 0) this.dropTable(base);
    }
    const data: LoadedDataset = {
      table,
      columns: made.value,
      rowCount: await this.count(table),
      warnings: [],
    };
    const state = this.state(key, n, data, made.bytes);
    if (this.disposed || !this.o.room(made.bytes)) {
      state.doomed = true;
      this.dropTable(state);
      return undefined;
    }
    this.states.set(key, state);
    this.o.onMaterialise?.({
      steps: n,
      fromSteps: base.steps,
      bytes: made.bytes,
      ms: Math.round(performance.now() - started),
    });
    this.trim();
    return state;
  }

  private async count(table: string): Promise<number> {
    const r = await this.o.engine.connection.runAndReadAll(
      select({
        kind: 'select',
        columns: [{ expr: { kind: 'countStar' } }],
        from: { kind: 'table', name: table },
      }),
    );
    return Number(r.getRowsJson()[0]![0]);
  }

  /** The recipe changed: states that are not a prefix of it can no longer be used. */
  retain(current: Recipe): void {
    this.currentKey = keyOf(current);
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

  /** Drop everything now or as soon as the reads using it finish. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.allSettled([...this.making.values()]);
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
      .catch(() => undefined)
      .finally(() => this.drops.delete(p));
    this.drops.add(p);
  }
}
