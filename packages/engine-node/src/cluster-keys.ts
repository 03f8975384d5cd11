import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBDataChunk, VARCHAR } from './duckdb.js';
import {
  clusterKeyNeeds,
  clusterKeyTable,
  computeKeys,
  isNearestNeighbour,
  knnMergeMap,
  missingKeyValuesQuery,
  packedDistinctCountsQuery,
  unpackDistinctCounts,
  unpackValues,
  type ClusterMethod,
  type ClusterKeyNeed,
  type ClusterParams,
  type Recipe,
} from '@tidyvault/core';
import { select, statement, type Select } from '@tidyvault/sql';

/** DuckDB's vector size: the most rows one data chunk holds. */
const CHUNK_ROWS = 2048;

/**
 * Fills the key tables that clustering SQL joins (see core's cluster/key-table.ts): each distinct
 * value of the column that has no key yet is keyed once, in TypeScript, and appended. Fills run
 * one at a time per engine so two concurrent requests never append the same value twice.
 */
export class ClusterKeys {
  private readonly created = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Work that reads key tables now; clear() waits for it, and new work waits for a clear. */
  private readers = 0;
  private idle: (() => void)[] = [];
  private clearing: Promise<void> | undefined;

  constructor(private readonly connection: () => DuckDBConnection) {}

  /** Runs work that fills or reads key tables, so that no clear() drops them meanwhile. */
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
   * Key and map tables for every `cluster-merge` step among the first `upTo` steps of `recipe`
   * run on the relation `table`, in step order.
   */
  async prepareRecipe(
    recipe: Recipe,
    upTo: number | undefined,
    table: string,
    sourceUpTo: (stepIndex: number) => Select,
  ): Promise<void> {
    for (const need of clusterKeyNeeds(recipe, upTo, table)) {
      if (need.map) await this.serially(() => this.fillMap(sourceUpTo(need.stepIndex), need));
      else await this.fill(sourceUpTo(need.stepIndex), need.column, need.method, need.params);
    }
  }

  fill(source: Select, column: string, method: ClusterMethod, params: ClusterParams): Promise<void> {
    return this.serially(() => this.fillNow(source, column, method, params));
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const done = this.queue.then(work);
    this.queue = done.catch(() => undefined);
    return done;
  }

  /**
   * Drops every key table (they hold values of the datasets that were keyed): called when a
   * dataset is dropped, so none of its values outlive it; later fills start afresh.
   */
  clear(): Promise<void> {
    // Fills happen only inside use(), so once the readers are done nothing else touches the tables.
    const drained =
      this.readers === 0 ? Promise.resolve() : new Promise<void>((wake) => this.idle.push(wake));
    const work = Promise.all([drained, this.clearing]).then(async () => {
      const connection = this.connection();
      for (const table of this.created) {
        await connection.run(statement({ kind: 'dropTable', name: table, ifExists: true }));
      }
      this.created.clear();
    });
    const mine: Promise<void> = work
      .catch(() => undefined)
      .then(() => {
        if (this.clearing === mine) this.clearing = undefined;
      });
    this.clearing = mine;
    return work;
  }

  /** A nearest-neighbour step's map (core's cluster/knn-map.ts): made whole, once. */
  private async fillMap(source: Select, need: ClusterKeyNeed): Promise<void> {
    const { method } = need;
    if (this.created.has(need.table) || !isNearestNeighbour(method)) return;
    const connection = this.connection();
    const { values, counts } = await readDistinctCounts(connection, { ...source, orderBy: [] }, need.column);
    const map = await knnMergeMap(
      values.map((value, i) => ({ value, count: counts[i]! })),
      method,
      need.params,
    );
    await this.createTable(need.table);
    try {
      await this.append(need.table, map.values, map.keys);
    } catch (e) {
      // A map is whole or absent: part of one would leave values unmerged, silently.
      this.created.delete(need.table);
      await this.dropQuietly(need.table);
      throw e;
    }
  }

  private async dropQuietly(table: string): Promise<void> {
    await this.connection()
      .run(statement({ kind: 'dropTable', name: table, ifExists: true }))
      .catch(() => undefined);
  }

  private async createTable(table: string): Promise<void> {
    const connection = this.connection();
    await connection.run(statement({ kind: 'dropTable', name: table, ifExists: true }));
    await connection.run(
      statement({
        kind: 'createEmptyTable',
        name: table,
        columns: [
          { name: 'value', type: 'VARCHAR' },
          { name: 'key', type: 'VARCHAR' },
        ],
      }),
    );
    this.created.add(table);
  }

  private async append(table: string, values: string[], keys: string[]): Promise<void> {
    if (values.length === 0) return;
    const appender = await this.connection().createAppender(table);
    try {
      for (let start = 0; start < values.length; start += CHUNK_ROWS) {
        const end = Math.min(values.length, start + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create([VARCHAR, VARCHAR], end - start);
        chunk.setColumnValues(0, values.slice(start, end));
        chunk.setColumnValues(1, keys.slice(start, end));
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  private async fillNow(
    source: Select,
    column: string,
    method: ClusterMethod,
    params: ClusterParams,
  ): Promise<void> {
    const connection = this.connection();
    const table = clusterKeyTable(method, params);
    if (!this.created.has(table)) await this.createTable(table);
    const read = async (json: boolean) => {
      const r = await connection.runAndReadAll(
        select(missingKeyValuesQuery(source, column, method, params, json)),
      );
      const [packed, n] = r.getRowsJson()[0] ?? [null, 0];
      return unpackValues(packed as string | null, Number(n), json);
    };
    const values = (await read(false)) ?? (await read(true))!;
    if (values.length === 0) return;
    await this.append(table, values, computeKeys(method, params, values));
  }
}

/** Distinct non-NULL values (as text) of `column` in `source` and their row counts, read as one string. */
export async function readDistinctCounts(
  connection: DuckDBConnection,
  source: Select,
  column: string,
): Promise<{ values: string[]; counts: number[] }> {
  const read = async (json: boolean) => {
    const r = await connection.runAndReadAll(select(packedDistinctCountsQuery(source, column, json)));
    const [packed, n] = r.getRowsJson()[0] ?? [null, 0];
    return unpackDistinctCounts(packed as string | null, Number(n), json);
  };
  return (await read(false)) ?? (await read(true))!;
}
