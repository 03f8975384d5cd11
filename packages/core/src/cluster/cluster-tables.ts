import type { Select } from '@tidyvault/sql';
import { statement } from '@tidyvault/sql';
import type { Recipe } from '../recipe/schema.js';
import { computeKeys } from './keyers/index.js';
import { clusterKeyNeeds, clusterKeyTable, keyTableStatements, type ClusterKeyNeed } from './key-table.js';
import { knnMergeMap } from './knn-map.js';
import { isNearestNeighbour, type ClusterMethod, type ClusterParams } from './methods.js';

/**
 * The key and map tables that `cluster-merge` SQL joins (./key-table.ts, ./knn-map.ts), as an
 * engine keeps them: filled one at a time (two requests never append the same value twice),
 * never dropped while work reads them, all dropped by clear() (when a dataset is dropped, so
 * none of its values outlive it). An engine supplies how it runs a statement, reads values and
 * appends rows.
 */
export abstract class ClusterTables {
  private readonly created = new Set<string>();
  /** The nearest-neighbour maps made for each relation (dropped with it: see forget()). */
  private readonly maps = new Map<string, Set<string>>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Work that reads the tables now; clear() waits for it, and new work waits for a clear. */
  private readers = 0;
  private idle: (() => void)[] = [];
  private clearing: Promise<void> | undefined;

  protected abstract run(sql: string): Promise<void>;
  /** Distinct non-NULL values (as text) of `column` in `source` that the key table lacks. */
  protected abstract missingValues(
    source: Select,
    column: string,
    method: ClusterMethod,
    params: ClusterParams,
  ): Promise<string[]>;
  /** Distinct non-NULL values (as text) of `column` in `source`, with their row counts. */
  protected abstract distinctCounts(
    source: Select,
    column: string,
  ): Promise<{ value: string; count: number }[]>;
  protected abstract append(table: string, values: string[], keys: string[]): Promise<void>;

  /** Runs work that fills or reads the tables, so that no clear() drops them meanwhile. */
  async use<T>(work: () => Promise<T>): Promise<T> {
    while (this.clearing) await this.clearing;
    this.readers++;
    try {
      return await work();
    } finally {
      if (--this.readers === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  /**
   * The tables for every `cluster-merge` step among the first `upTo` steps of `recipe` run on
   * the relation `table`, in step order; `sourceUpTo(i)` is the recipe's first i steps.
   * Aborting `signal` stops a nearest-neighbour map being made (it rejects with the signal's reason).
   */
  async prepareRecipe(
    recipe: Recipe,
    upTo: number | undefined,
    table: string,
    sourceUpTo: (stepIndex: number) => Select,
    signal?: AbortSignal,
  ): Promise<void> {
    for (const need of clusterKeyNeeds(recipe, upTo, table)) {
      const source = sourceUpTo(need.stepIndex);
      await this.serially(() =>
        need.map ? this.fillMap(source, need, table, signal) : this.fillKeys(source, need),
      );
    }
  }

  /**
   * The relation is being dropped (a recipe state, an export's staged table): its maps go too,
   * since nothing can read them any more (relation names are never reused). Key tables stay.
   */
  forget(relation: string): Promise<void> {
    const tables = this.maps.get(relation);
    if (!tables) return Promise.resolve();
    this.maps.delete(relation);
    return this.serially(async () => {
      for (const table of tables) {
        this.created.delete(table);
        await this.run(statement({ kind: 'dropTable', name: table, ifExists: true }));
      }
    });
  }

  /**
   * Drops every table (they hold values of the datasets that were keyed); later fills start
   * afresh. Waits for the work reading them.
   */
  clear(): Promise<void> {
    const drained =
      this.readers === 0 ? Promise.resolve() : new Promise<void>((wake) => this.idle.push(wake));
    const work = Promise.all([drained, this.clearing]).then(async () => {
      for (const table of this.created) {
        await this.run(statement({ kind: 'dropTable', name: table, ifExists: true }));
      }
      this.created.clear();
      this.maps.clear();
    });
    const mine: Promise<void> = work
      .catch(() => undefined)
      .then(() => {
        if (this.clearing === mine) this.clearing = undefined;
      });
    this.clearing = mine;
    return work;
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const done = this.queue.then(work);
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async create(table: string): Promise<void> {
    for (const sql of keyTableStatements(table)) await this.run(sql);
    this.created.add(table);
  }

  /** A key table gains the keys of the values it lacks (keys are a function of the value alone). */
  private async fillKeys(source: Select, need: ClusterKeyNeed): Promise<void> {
    const { column, method, params } = need;
    const table = clusterKeyTable(method, params);
    if (!this.created.has(table)) await this.create(table);
    const values = await this.missingValues(source, column, method, params);
    if (values.length === 0) return;
    await this.append(table, values, computeKeys(method, params, values));
  }

  /** A nearest-neighbour step's map: made whole, once. */
  private async fillMap(
    source: Select,
    need: ClusterKeyNeed,
    relation: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const { method } = need;
    if (this.created.has(need.table) || !isNearestNeighbour(method)) return;
    signal?.throwIfAborted();
    const pairs = await this.distinctCounts({ ...source, orderBy: [] }, need.column);
    const map = await knnMergeMap(pairs, method, need.params, signal ? { signal } : {});
    await this.create(need.table);
    const maps = this.maps.get(relation) ?? new Set<string>();
    this.maps.set(relation, maps.add(need.table));
    try {
      await this.append(need.table, map.values, map.keys);
    } catch (e) {
      // A map is whole or absent: part of one would leave values unmerged, silently.
      this.created.delete(need.table);
      maps.delete(need.table);
      await this.run(statement({ kind: 'dropTable', name: need.table, ifExists: true })).catch(
        () => undefined,
      );
      throw e;
    }
  }
}
