import { DataType, makeVector, util, type Data, type Table, type Vector } from 'apache-arrow';
import { formatDate, type Cell } from '@tidyvault/core';

const { bigNumToNumber, bigNumToString } = util;

const DAY_MS = 86_400_000;
/** A JS value from Arrow → a JSON-safe cell, as engine-node's toCell makes them. */
export function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint')
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

function dateCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  const ms = v instanceof Date ? v.getTime() : Number(v);
  return formatDate(Math.round(ms / DAY_MS));
}

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

function textAt(data: Data, i: number): string | null {
  if (!data.getValid(i)) return null;
  const offsets = data.valueOffsets;
  return UTF8.decode(data.values.subarray(Number(offsets[i]), Number(offsets[i + 1])));
}

const isText = (t: DataType) => DataType.isUtf8(t) || DataType.isLargeUtf8(t);
const holdsText = (t: DataType): boolean => isText(t) || (t.children ?? []).some((f) => holdsText(f.type));

/**
 * Reads one chunk's values by index, text decoded by textAt, at any depth: a list as an array,
 * a struct as an object (what Arrow's own get gives, but for the strings).
 */
function dataReader(data: Data): (i: number) => unknown {
  const type = data.type;
  if (isText(type)) return (i) => textAt(data, i);
  if (DataType.isList(type)) {
    const item = dataReader(data.children[0]!);
    const offsets = data.valueOffsets;
    return (i) => {
      if (!data.getValid(i)) return null;
      const out: unknown[] = [];
      for (let k = Number(offsets[i]); k < Number(offsets[i + 1]); k++) out.push(item(k));
      return out;
    };
  }
  if (DataType.isStruct(type)) {
    const fields = type.children.map((f, k) => [f.name, dataReader(data.children[k]!)] as const);
    return (i) =>
      data.getValid(i) ? Object.fromEntries(fields.map(([name, read]) => [name, read(i)])) : null;
  }
  const vector = makeVector(data);
  return (i) => vector.get(i);
}

/**
 * Reads a column's values by row. Arrow JS decodes each string with a TextDecoder that drops a
 * leading U+FEFF, which here is the value's own first character ('\uFEFFw' came back 'w'): text,
 * also inside lists and structs, is decoded here instead, keeping it.
 */
export function columnReader(vector: Vector): (row: number) => unknown {
  if (!holdsText(vector.type)) return (r) => vector.get(r);
  const chunks = vector.data;
  if (chunks.length === 1) return dataReader(chunks[0]!);
  const readers = chunks.map(dataReader);
  const starts: number[] = [];
  let n = 0;
  for (const d of chunks) {
    starts.push(n);
    n += d.length;
  }
  starts.push(n);
  // Rows are read mostly in order: the chunk of the last row read, else a binary search.
  let c = 0;
  return (r) => {
    if (r < starts[c]! || r >= starts[c + 1]!) {
      let lo = 0;
      let hi = chunks.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= r) lo = mid;
        else hi = mid - 1;
      }
      c = lo;
    }
    return readers[c]!(r - starts[c]!);
  };
}

/** Every row of an Arrow result as cells, in the result's column order. */
export function tableRows(table: Table): Cell[][] {
  const columns: Vector[] = [];
  for (let i = 0; i < table.numCols; i++) columns.push(table.getChildAt(i)!);
  const read = columns.map(columnReader);
  const convert = columns.map((c) => (DataType.isDate(c.type) ? dateCell : toCell));
  const rows: Cell[][] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Cell[] = new Array(columns.length);
    for (let c = 0; c < columns.length; c++) row[c] = convert[c]!(read[c]!(r));
    rows[r] = row;
  }
  return rows;
}

type Convert = (v: unknown) => unknown;

/**
 * A converter of one Arrow type's values to what engine-node's JSON readers give the shared
 * code: numbers (a BIGINT or HUGEINT beyond 2^53 as its digits), strings, arrays for lists,
 * objects for structs, dates as DuckDB prints them.
 */
function jsonConverter(type: DataType): Convert {
  if (DataType.isDate(type)) return dateCell;
  if (DataType.isDecimal(type)) {
    const scale = type.scale;
    return (v) => {
      if (v === null || v === undefined) return null;
      if (scale === 0) return toCell(BigInt(bigNumToString(v as Parameters<typeof bigNumToString>[0])));
      return bigNumToNumber(v as Parameters<typeof bigNumToNumber>[0], scale);
    };
  }
  if (DataType.isList(type)) {
    const item = jsonConverter(type.children[0]!.type);
    return (v) => (v === null || v === undefined ? null : Array.from(v as Iterable<unknown>, item));
  }
  if (DataType.isStruct(type)) {
    const fields = type.children.map((f) => [f.name, jsonConverter(f.type)] as const);
    return (v) => {
      if (v === null || v === undefined) return null;
      const row = v as Record<string, unknown>;
      return Object.fromEntries(fields.map(([name, convert]) => [name, convert(row[name])]));
    };
  }
  return (v) => (typeof v === 'bigint' ? toCell(v) : v === undefined ? null : v);
}

/** Every row of an Arrow result as plain JSON-like values (as engine-node's getRowsJson reads them, numbers as numbers). */
export function jsonRows(table: Table): unknown[][] {
  const columns: Vector[] = [];
  for (let i = 0; i < table.numCols; i++) columns.push(table.getChildAt(i)!);
  const read = columns.map(columnReader);
  const convert = columns.map((c) => jsonConverter(c.type));
  const rows: unknown[][] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) rows[r] = columns.map((_, i) => convert[i]!(read[i]!(r)));
  return rows;
}

/** The first row of an Arrow result as an object keyed by column name (empty when there is none). */
export function firstJsonObject(table: Table): Record<string, unknown> {
  const row = jsonRows(table)[0];
  if (!row) return {};
  return Object.fromEntries(table.schema.fields.map((f, i) => [f.name, row[i]]));
}
