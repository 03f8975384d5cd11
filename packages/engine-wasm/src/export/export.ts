import {
  JSON_LAYOUT,
  jsonKeys,
  jsonObject,
  xlsxParts,
  type Cell,
  type Column,
  type ExportFormat,
} from '@tidyvault/core';
import { select, statement, type Select } from '@tidyvault/sql';
import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';
import { DataType, Table, type RecordBatch } from 'apache-arrow';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { Connection } from '../connection.js';
import { columnReader, tableRows } from '../values.js';
import { zipBlob } from './zip.js';

export const EXPORT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  parquet: 'application/vnd.apache.parquet',
};

export interface ExportContext {
  db: AsyncDuckDB;
  connection: Connection;
  /** A new name for a file registered with DuckDB. */
  fileName: (extension: string) => string;
}

/**
 * CSV and TSV: DuckDB's own writer (`COPY … TO`), as engine-node runs it, into in-memory files
 * of the worker that are read back and dropped: the bytes are engine-node's. Each query is one
 * slice of the rows, in order; only the first writes the header.
 */
export async function exportDelimited(
  ctx: ExportContext,
  slices: Select[],
  format: 'csv' | 'tsv',
  copyOptions: Record<string, string | boolean | string[]>,
): Promise<Blob> {
  // Each slice's bytes become a Blob (the browser stores them and the buffer is freed) while the
  // worker writes the next slice: the COPY is sent first, then the previous slice's Blob is made.
  const parts: Blob[] = [];
  let previous: Uint8Array<ArrayBuffer> | undefined;
  const keepPrevious = () => {
    if (previous) parts.push(new Blob([previous]));
    previous = undefined;
  };
  for (const [i, query] of slices.entries()) {
    const path = ctx.fileName(`.${format}`);
    await ctx.db.registerEmptyFileBuffer(path);
    try {
      const options = { ...copyOptions, HEADER: i === 0 };
      const copying = ctx.connection.run(statement({ kind: 'copyTo', query, path, options }));
      try {
        keepPrevious();
      } finally {
        await copying;
      }
      previous = (await ctx.db.copyFileToBuffer(path)) as Uint8Array<ArrayBuffer>;
    } finally {
      await ctx.db.dropFile(path).catch(() => undefined);
    }
  }
  keepPrevious();
  return new Blob(parts, { type: EXPORT_TYPES[format] });
}

class Stopped extends Error {}

/**
 * The rows of `query` as engine cells, a batch at a time, pulled by the caller: the worker's
 * stream is read one batch ahead of the caller, never held whole. Stopping early (a throw or a
 * break in the caller's loop) reads the rest of the stream and drops it.
 */
export async function* cellBatches(connection: Connection, query: Select): AsyncGenerator<Cell[][]> {
  const queue: Cell[][][] = [];
  let wake: (() => void) | undefined; // the consumer, waiting for a batch
  let resume: (() => void) | undefined; // the producer, waiting for room
  let done = false;
  let stopped = false;
  let failure: unknown;
  const call = (f: (() => void) | undefined) => f?.();
  const producing = connection
    .forEachBatch(select(query), async (b) => {
      if (stopped) throw new Stopped();
      queue.push(tableRows(new Table(b)));
      call(wake);
      wake = undefined;
      while (queue.length >= 2 && !stopped) await new Promise<void>((r) => (resume = r));
      if (stopped) throw new Stopped();
    })
    .then(
      () => undefined,
      (e: unknown) => {
        if (!(e instanceof Stopped)) failure = e;
      },
    )
    .finally(() => {
      done = true;
      call(wake);
      wake = undefined;
    });
  try {
    for (;;) {
      const batch = queue.shift();
      if (batch) {
        call(resume);
        resume = undefined;
        yield batch;
        continue;
      }
      if (done) {
        if (failure !== undefined) throw failure;
        return;
      }
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    stopped = true;
    call(resume);
    resume = undefined;
    await producing;
  }
}

/**
 * JSON (an array of objects) and NDJSON, spelled as DuckDB's JSON writer spells them (core's
 * json-text.ts): DuckDB-WASM has no json extension to `COPY … (FORMAT json)` with.
 */
export async function exportJson(
  connection: Connection,
  query: Select,
  columns: readonly Column[],
  format: 'json' | 'ndjson',
): Promise<Blob> {
  const layout = JSON_LAYOUT[format];
  const keys = jsonKeys(columns.map((c) => c.name));
  const types = columns.map((c) => c.type);
  const parts: string[] = [];
  let rows = 0;
  await connection.forEachBatch(select(query), (b) => {
    let text = '';
    for (const row of tableRows(new Table(b))) {
      text += (rows++ === 0 ? layout.start : layout.between) + layout.before + jsonObject(keys, types, row);
    }
    parts.push(text);
  });
  parts.push(rows === 0 ? layout.empty : layout.end);
  return new Blob(parts, { type: EXPORT_TYPES[format] });
}

/** XLSX: core's parts (engine-node's sheet, cell for cell), zipped in the browser. */
export function exportXlsx(connection: Connection, query: Select, columns: readonly Column[]): Promise<Blob> {
  async function* rows() {
    for await (const batch of cellBatches(connection, query)) yield* batch;
  }
  // The guard already ran in SQL (the query's columns); the writer must not add a second apostrophe.
  return zipBlob(xlsxParts(columns, rows(), { formulaGuard: false }), 'xlsx', EXPORT_TYPES.xlsx);
}

const DAY_MS = 86_400_000;

/** A column of one batch as the Parquet writer takes it: text, doubles, 64-bit integers or days. */
function parquetValues(batch: RecordBatch, i: number, type: Column['type']): unknown[] {
  const vector = batch.getChildAt(i)!;
  const read = columnReader(vector);
  const out = new Array<unknown>(vector.length);
  const isDate = DataType.isDate(vector.type);
  for (let r = 0; r < vector.length; r++) {
    const v = read(r);
    if (v === null || v === undefined) out[r] = null;
    else if (type === 'date' && isDate)
      out[r] = Math.round((v instanceof Date ? v.getTime() : Number(v)) / DAY_MS);
    else if (type === 'integer') out[r] = typeof v === 'bigint' ? v : BigInt(v as number);
    else if (type === 'number') out[r] = Number(v);
    else out[r] = String(v);
  }
  return out;
}

/**
 * Parquet through hyparquet-writer (pure JavaScript, Snappy pages): text as UTF-8 strings,
 * numbers as DOUBLE, integers as INT64, dates as DATE — the types engine-node's DuckDB writes
 * (it compresses with zstd, which has no JavaScript compressor here).
 */
export async function exportParquet(
  connection: Connection,
  query: Select,
  columns: readonly Column[],
): Promise<Blob> {
  const writer = new ByteWriter();
  const schema = [
    { name: 'duckdb_schema', num_children: columns.length },
    ...columns.map((c) => {
      const base = { name: c.name, repetition_type: 'OPTIONAL' as const };
      switch (c.type) {
        case 'number':
          return { ...base, type: 'DOUBLE' as const };
        case 'integer':
          return { ...base, type: 'INT64' as const, converted_type: 'INT_64' as const };
        case 'date':
          return {
            ...base,
            type: 'INT32' as const,
            converted_type: 'DATE' as const,
            logical_type: { type: 'DATE' as const },
          };
        default:
          return {
            ...base,
            type: 'BYTE_ARRAY' as const,
            converted_type: 'UTF8' as const,
            logical_type: { type: 'STRING' as const },
          };
      }
    }),
  ];
  const pq = new ParquetWriter({
    writer,
    schema,
    codec: 'SNAPPY',
    createdBy: 'tidyvault (hyparquet-writer)',
  });
  await connection.forEachBatch(select(query), async (b) => {
    if (b.numRows === 0) return;
    await pq.write({
      columnData: columns.map((c, i) => ({ name: c.name, data: parquetValues(b, i, c.type) })),
      rowGroupSize: b.numRows,
    });
  });
  await pq.finish();
  return new Blob([writer.getBytes() as Uint8Array<ArrayBuffer>], { type: EXPORT_TYPES.parquet });
}
