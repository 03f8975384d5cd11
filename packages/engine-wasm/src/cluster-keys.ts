import {
  ClusterTables,
  distinctCountsQuery,
  missingKeyValuesQuery,
  type ClusterMethod,
  type ClusterParams,
} from '@tidyvault/core';
import { col, select, type Select } from '@tidyvault/sql';
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
 * The key and map tables cluster-merge SQL joins (core's ClusterTables), as engine-node's: values
 * read through Arrow, one per row (engine-node packs them into one string, and falls back to
 * JSON, which needs DuckDB's json extension: DuckDB-WASM has none), rows appended through Arrow.
 */
export class ClusterKeys extends ClusterTables {
  constructor(private readonly connection: Connection) {
    super();
  }

  protected async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  protected async missingValues(
    source: Select,
    column: string,
    method: ClusterMethod,
    params: ClusterParams,
  ): Promise<string[]> {
    const missing = missingKeyValuesQuery(source, column, method, params);
    const r = await this.connection.query(
      select({ ...missing, columns: [{ expr: col('value', 'd'), as: 'value' }] }),
    );
    const read = columnReader(r.getChildAt(0)!);
    const values: string[] = new Array<string>(r.numRows);
    for (let i = 0; i < r.numRows; i++) values[i] = String(read(i));
    return values;
  }

  protected async distinctCounts(
    source: Select,
    column: string,
  ): Promise<{ value: string; count: number }[]> {
    const r = await this.connection.query(select(distinctCountsQuery(source, column)));
    const readValue = columnReader(r.getChildAt(0)!);
    const readCount = columnReader(r.getChildAt(1)!);
    const pairs = new Array<{ value: string; count: number }>(r.numRows);
    for (let i = 0; i < r.numRows; i++)
      pairs[i] = { value: String(readValue(i)), count: Number(readCount(i)) };
    return pairs;
  }

  protected async append(table: string, values: string[], keys: string[]): Promise<void> {
    for (let start = 0; start < values.length; start += BATCH_ROWS) {
      const end = Math.min(values.length, start + BATCH_ROWS);
      const batch = new Table({
        value: utf8Vector(values.slice(start, end)),
        key: utf8Vector(keys.slice(start, end)),
      });
      await this.connection.insertArrow(batch, table);
    }
  }
}
