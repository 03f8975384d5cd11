import {
  formatDate,
  jsonDouble,
  jsonString,
  parquetFrameProblem,
  repairHeaderNames,
  TidyvaultError,
  type Column,
} from '@tidyvault/core';
import { cast, col, quoteIdentifier, statement, type Select } from '@tidyvault/sql';
import {
  Float32,
  Float64,
  makeData,
  makeVector,
  Table,
  TimestampMicrosecond,
  TimestampNanosecond,
  type Vector,
} from 'apache-arrow';
import {
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type FileMetaData,
  type SchemaElement,
  type SchemaTree,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { utf8Vector } from '../cluster-keys.js';
import type { Connection } from '../connection.js';
import { dropTable } from './csv.js';

/*
 * Parquet with engine-node's rules (its import/parquet.ts runs DuckDB's parquet extension,
 * which DuckDB-WASM lacks): every column becomes text, scalars as DuckDB casts them to VARCHAR,
 * nested values as JSON. The file is read by hyparquet (pure JavaScript; Snappy, gzip, zstd,
 * Brotli and LZ4 pages) one row group at a time, from the File's slices. Doubles, floats and
 * timestamps go to DuckDB typed (through Arrow) and are cast there, so their text is DuckDB's;
 * the other types' text (integers, decimals, dates, booleans, blobs, UUIDs) is made here.
 */

type Kind =
  | { kind: 'text' }
  | { kind: 'int' }
  | { kind: 'bool' }
  | { kind: 'date' }
  | { kind: 'decimal'; scale: number }
  | { kind: 'blob' }
  | { kind: 'time'; unit: 'MILLIS' | 'MICROS' | 'NANOS' }
  | { kind: 'json' }
  | { kind: 'double' }
  | { kind: 'float' }
  | { kind: 'timestamp'; unit: 'MILLIS' | 'MICROS' | 'NANOS' | 'INT96'; utc: boolean };

function kindOf(tree: SchemaTree): Kind {
  if (tree.children.length > 0) return { kind: 'json' };
  const e = tree.element;
  const lt = e.logical_type;
  const ct = e.converted_type;
  if (ct === 'DECIMAL' || lt?.type === 'DECIMAL') return { kind: 'decimal', scale: e.scale ?? 0 };
  if (lt?.type === 'TIMESTAMP') return { kind: 'timestamp', unit: lt.unit, utc: lt.isAdjustedToUTC };
  if (ct === 'TIMESTAMP_MILLIS') return { kind: 'timestamp', unit: 'MILLIS', utc: true };
  if (ct === 'TIMESTAMP_MICROS') return { kind: 'timestamp', unit: 'MICROS', utc: true };
  if (e.type === 'INT96') return { kind: 'timestamp', unit: 'INT96', utc: false };
  if (lt?.type === 'TIME') return { kind: 'time', unit: lt.unit };
  if (ct === 'TIME_MILLIS') return { kind: 'time', unit: 'MILLIS' };
  if (ct === 'TIME_MICROS') return { kind: 'time', unit: 'MICROS' };
  if (ct === 'DATE' || lt?.type === 'DATE') return { kind: 'date' };
  if (
    ct === 'JSON' ||
    lt?.type === 'JSON' ||
    ct === 'UTF8' ||
    ct === 'ENUM' ||
    lt?.type === 'STRING' ||
    lt?.type === 'ENUM' ||
    lt?.type === 'UUID'
  )
    return { kind: 'text' };
  switch (e.type) {
    case 'BOOLEAN':
      return { kind: 'bool' };
    case 'INT32':
    case 'INT64':
      return { kind: 'int' };
    case 'FLOAT':
      return lt?.type === 'FLOAT16' ? { kind: 'double' } : { kind: 'float' };
    case 'DOUBLE':
      return { kind: 'double' };
    default:
      return { kind: 'blob' };
  }
}

/** Big-endian two's complement bytes as an integer. */
function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return bytes.length > 0 && bytes[0]! & 0x80 ? n - (1n << BigInt(bytes.length * 8)) : n;
}

/** An unscaled decimal as DuckDB prints DECIMAL(p, scale): exactly `scale` digits after the point. */
export function decimalText(unscaled: bigint, scale: number): string {
  if (scale === 0) return unscaled.toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** A BLOB as DuckDB casts it to VARCHAR: printable ASCII as it is, other bytes as \xHH. */
export function blobText(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes)
    s +=
      b >= 32 && b <= 126 && b !== 92 && b !== 39 && b !== 34
        ? String.fromCharCode(b)
        : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return s;
}

const pad = (n: bigint | number, w: number) => String(n).padStart(w, '0');

function timeText(v: bigint | number, unit: 'MILLIS' | 'MICROS' | 'NANOS'): string {
  const micros = unit === 'MILLIS' ? BigInt(v) * 1000n : unit === 'NANOS' ? BigInt(v) / 1000n : BigInt(v);
  const s = micros / 1_000_000n;
  const frac = micros % 1_000_000n;
  const base = `${pad(s / 3600n, 2)}:${pad((s / 60n) % 60n, 2)}:${pad(s % 60n, 2)}`;
  return frac === 0n ? base : `${base}.${pad(frac, 6).replace(/0+$/, '')}`;
}

/** A nested value as minified JSON (yyjson's spelling), as DuckDB's to_json writes it. */
function jsonText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return jsonString(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number')
    return Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) < 2 ** 53 ? String(v) : jsonDouble(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return jsonString(v.toISOString());
  if (v instanceof Uint8Array) return jsonString(blobText(v));
  if (Array.isArray(v)) return '[' + v.map(jsonText).join(',') + ']';
  if (typeof v === 'object')
    return (
      '{' +
      Object.entries(v)
        .map(([k, x]) => jsonString(k) + ':' + jsonText(x))
        .join(',') +
      '}'
    );
  return jsonString(String(v));
}

function textOf(v: unknown, k: Kind): string | null {
  if (v === null || v === undefined) return null;
  switch (k.kind) {
    case 'int':
      return String(v);
    case 'bool':
      return v ? 'true' : 'false';
    case 'date':
      return formatDate(Number(v));
    case 'decimal':
      return decimalText(v instanceof Uint8Array ? bytesToBigInt(v) : BigInt(v as number | bigint), k.scale);
    case 'blob':
      return v instanceof Uint8Array ? blobText(v) : String(v);
    case 'time':
      return timeText(v as bigint | number, k.unit);
    case 'json':
      return jsonText(v);
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

function validity(values: readonly unknown[]): { nullCount: number; nullBitmap?: Uint8Array } {
  let nullCount = 0;
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v === null || v === undefined) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  });
  return nullCount > 0 ? { nullCount, nullBitmap: bitmap } : { nullCount };
}

/** The column of one row group as an Arrow vector of the type DuckDB should see. */
function vectorOf(values: unknown[], k: Kind): Vector {
  const length = values.length;
  if (k.kind === 'double' || k.kind === 'float') {
    const data = k.kind === 'double' ? new Float64Array(length) : new Float32Array(length);
    values.forEach((v, i) => (data[i] = v === null || v === undefined ? 0 : Number(v)));
    return makeVector(
      makeData({
        type: k.kind === 'double' ? new Float64() : new Float32(),
        length,
        data,
        ...validity(values),
      }),
    );
  }
  if (k.kind === 'timestamp') {
    const nanos = k.unit === 'NANOS';
    const data = new BigInt64Array(length);
    values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const n = BigInt(v as bigint);
      // INT96 arrives as nanoseconds (see the parsers below).
      data[i] = k.unit === 'MILLIS' ? n * 1000n : k.unit === 'INT96' ? n / 1000n : n;
    });
    const tz = k.utc ? 'UTC' : null;
    const type = nanos ? new TimestampNanosecond(tz) : new TimestampMicrosecond(tz);
    return makeVector(makeData({ type, length, data, ...validity(values) }));
  }
  return utf8Vector(values.map((v) => textOf(v, k)));
}

const sqlType = (k: Kind): string =>
  k.kind === 'double'
    ? 'DOUBLE'
    : k.kind === 'float'
      ? 'FLOAT'
      : k.kind === 'timestamp'
        ? k.unit === 'NANOS'
          ? 'TIMESTAMP_NS'
          : k.utc
            ? 'TIMESTAMPTZ'
            : 'TIMESTAMP'
        : 'VARCHAR';

/** hyparquet's metadata with decimals left as their unscaled integers (its own conversion goes through doubles). */
function rawDecimals(metadata: FileMetaData): FileMetaData {
  const schema: SchemaElement[] = metadata.schema.map((e) => {
    if (e.converted_type !== 'DECIMAL' && e.logical_type?.type !== 'DECIMAL') return e;
    const { converted_type: _c, logical_type: _l, ...rest } = e;
    void _c;
    void _l;
    return rest;
  });
  return { ...metadata, schema };
}

export interface ParquetImportContext {
  connection: Connection;
  table: string;
  displayName: string;
}

export async function importParquet(
  blob: Blob,
  ctx: ParquetImportContext,
): Promise<{ columns: Column[]; rowCount: number; warnings: string[] }> {
  const name = ctx.displayName;
  const invalid = (e: unknown) =>
    new TidyvaultError(
      'IMPORT_FORMAT',
      `${name}: not a valid Parquet file (${(e as Error).message ?? String(e)})`,
      {
        file: name,
      },
    );
  const file = {
    byteLength: blob.size,
    slice: (start: number, end?: number) => blob.slice(start, end).arrayBuffer(),
  };
  const damaged = parquetFrameProblem(
    blob.size,
    new Uint8Array(await blob.slice(0, 4).arrayBuffer()),
    new Uint8Array(await blob.slice(Math.max(0, blob.size - 8)).arrayBuffer()),
  );
  if (damaged) throw invalid(new Error(damaged));
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw invalid(e);
  }
  const top = parquetSchema(metadata).children;
  const kinds = top.map(kindOf);
  const names = repairHeaderNames(
    top.map((t) => t.element.name),
    { caseInsensitive: true },
  );
  const stage = `${ctx.table}__parquet`;
  const staged = names.map((_, i) => `c${i}`);
  const c = ctx.connection;
  // Typed as DuckDB's parquet reader types them (FLOAT, TIMESTAMPTZ, TIMESTAMP_NS are not in the SQL builder's types).
  await c.run(
    `CREATE TABLE ${quoteIdentifier(stage)} (${staged.map((n, i) => `${quoteIdentifier(n)} ${sqlType(kinds[i]!)}`).join(', ')})`,
  );
  try {
    const raw = rawDecimals(metadata);
    const parsers = {
      timestampFromMilliseconds: (v: bigint) => v,
      timestampFromMicroseconds: (v: bigint) => v,
      timestampFromNanoseconds: (v: bigint) => v,
      dateFromDays: (days: number) => days,
      jsonFromBytes: (bytes: Uint8Array) => bytes && new TextDecoder().decode(bytes),
    };
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      if (end > start) {
        let rows: unknown[][] = [];
        try {
          await parquetRead({
            file,
            metadata: raw,
            rowStart: start,
            rowEnd: end,
            compressors,
            utf8: false,
            parsers,
            rowFormat: 'array',
            onComplete: (r: unknown[][]) => (rows = r),
          });
        } catch (e) {
          throw invalid(e);
        }
        const vectors: Record<string, Vector> = {};
        staged.forEach((n, i) => {
          vectors[n] = vectorOf(
            rows.map((r) => r[i]),
            kinds[i]!,
          );
        });
        await c.insertArrow(new Table(vectors), stage);
      }
      start = end;
    }
    const query: Select = {
      kind: 'select',
      columns: staged.map((n, i) => ({
        expr: sqlType(kinds[i]!) === 'VARCHAR' ? col(n) : cast(col(n), 'VARCHAR'),
        as: names[i]!,
      })),
      from: { kind: 'table', name: stage },
      orderBy: [{ expr: col('rowid') }],
    };
    await c.run(statement({ kind: 'createTable', name: ctx.table, query }));
    return { columns: names.map((n) => ({ name: n, type: 'text' })), rowCount: start, warnings: [] };
  } catch (e) {
    await dropTable(c, ctx.table);
    throw e;
  } finally {
    await dropTable(c, stage);
  }
}
