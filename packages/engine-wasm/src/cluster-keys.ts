import {
  clusterKeyNeeds,
  clusterKeyTable,
  computeKeys,
  distinctCountsQuery,
  isNearestNeighbour,
  knnMergeMap,
  missingKeyValuesQuery,
  type ClusterKeyNeed,
  type ClusterMethod,
  type ClusterParams,
  type Recipe,
} from '@tidyvault/core';
import { col, select, statement, type Select } from '@tidyvault/sql';
import { makeData, makeVector, Table, Utf8, type Vector } from 'apache-arrow';
import type { Connection } from './connection.js';
import { columnReader } from './values.js';

/**
 * An Arrow Utf8 vector built directly from its buffers (null where a value is null). Arrow's
 * builders (vectorFromArray) compile a null check with `new Function`, which the page's CSP forbids.
 */
export function utf8Vector(values: readonly (string | null)[]): Vector<Utf8> {
  const encoder = new TextEncoder();
  const offsets = new Int32Array(values.length + 1);
  let units = 0;
  let nulls = 0;
  for (const v of values) {
    if (v === null) nulls++;
    else units += v.length;
  }
  // A UTF-16 code unit is at most 3 bytes of UTF-8.
  const bytes = new Uint8Array(units * 3);
  const validity = nulls > 0 ? new Uint8Array((values.length + 7) >> 3) : undefined;
  let at = 0;
  values.forEach((v, i) => {
    if (v !== null) {
      at += encoder.encodeInto(v, bytes.subarray(at)).written;
      if (validity) validity[i >> 3]! |= 1 << (i & 7);
    }
    offsets[i + 1] = at;
  });
  return makeVector(
    makeData({
      type: new Utf8(),
      length: values.length,
      nullCount: nulls,
      ...(validity ? { nullBitmap: validity } : {}),
      valueOffsets: offsets,
      data: bytes.subarray(0, at),
    }),
  );
}

/** Rows appended per Arrow batch. */
const BATCH_ROWS = 65_536;

/**
 * Fills the key tables that cluster-merge SQL joins (core's cluster/key-table.ts), as
 * engine-node's ClusterKeys does: each distinct value of the column that has no key yet is keyed
 * once, by core's TypeScript keyers, and appended (through Arrow). Fills run one at a time.
 */
export class ClusterKeys {
  private readonly created = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private readers = 0;
  private idle: (() => void)[] = [];
  private clearing: Promise<void> | undefined;

  constructor(private readonly connection: Connection) {}

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

  /** Drops every key table (they hold values of the datasets that were keyed). */
  clear(): Promise<void> {
    const drained =
      this.readers === 0 ? Promise.resolve() : new Promise<void>((wake) => this.idle.push(wake));
    const work = Promise.all([drained, this.clearing]).then(async () => {
      for (const table of this.created) {
        await this.connection.run(statement({ kind: 'dropTable', name: table, ifExists: true }));
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
    const r = await this.connection.query(
      select(distinctCountsQuery({ ...source, orderBy: [] }, need.column)),
    );
    const readValue = columnReader(r.getChildAt(0)!);
    const readCount = columnReader(r.getChildAt(1)!);
    const pairs = new Array<{ value: string; count: number }>(r.numRows);
    for (let i = 0; i < r.numRows; i++)
      pairs[i] = { value: String(readValue(i)), count: Number(readCount(i)) };
    const map = await knnMergeMap(pairs, method, need.params);
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
    await this.connection
      .run(statement({ kind: 'dropTable', name: table, ifExists: true }))
      .catch(() => undefined);
  }

  private async createTable(table: string): Promise<void> {
    await this.connection.run(statement({ kind: 'dropTable', name: table, ifExists: true }));
    await this.connection.run(
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
    for (let start = 0; start < values.length; start += BATCH_ROWS) {
      const end = Math.min(values.length, start + BATCH_ROWS);
      const batch = new Table({
        value: utf8Vector(values.slice(start, end)),
        key: utf8Vector(keys.slice(start, end)),
      });
      await this.connection.insertArrow(batch, table);
    }
  }

  private async fillNow(
    source: Select,
    column: string,
    method: ClusterMethod,
    params: ClusterParams,
  ): Promise<void> {
    const table = clusterKeyTable(method, params);
    if (!this.created.has(table)) await this.createTable(table);
    // The values through Arrow, one per row: engine-node packs them into one string (and falls
    // back to JSON, which needs DuckDB's json extension: DuckDB-WASM has none).
    const missing = missingKeyValuesQuery(source, column, method, params);
    const r = await this.connection.query(
      select({ ...missing, columns: [{ expr: col('value', 'd'), as: 'value' }] }),
    );
    const read = columnReader(r.getChildAt(0)!);
    const values: string[] = new Array<string>(r.numRows);
    for (let i = 0; i < r.numRows; i++) values[i] = String(read(i));
    if (values.length === 0) return;
    await this.append(table, values, computeKeys(method, params, values));
  }
}
