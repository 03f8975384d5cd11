import type { InputFormat } from './import/format.js';

/*
 * Will a file fit in the browser tab before it is loaded? DuckDB-WASM's heap is one wasm32
 * memory: at most 4 GiB, and less in practice (the worker's own code and buffers, allocator
 * fragmentation, and a tab that may be refused memory before that). Running out midway crashes
 * the worker or the tab, so the answer is given from the file's size before anything is read.
 */

/** The wasm32 address space: DuckDB-WASM's heap can never exceed it. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;
/** What the data may take of it: the rest goes to DuckDB itself, the allocator and the worker. */
export const USABLE_HEAP_BYTES = 3 * 2 ** 30;

/**
 * Bytes of DuckDB table per byte of file, every column as text. Measured: W1's CSV (31 MB,
 * 12 columns, ~13-byte fields) takes 1.5 times its size as a table; narrower fields cost more
 * (a 16-byte string header per cell), so CSV counts 2. JSON repeats its keys in every record
 * (the table holds the values only); Parquet is compressed and typed (its values become text,
 * several times larger); XLSX is zipped XML.
 */
export const TABLE_BYTES_PER_FILE_BYTE: Record<InputFormat, number> = {
  csv: 2,
  tsv: 2,
  json: 1.25,
  ndjson: 1.25,
  parquet: 8,
  xlsx: 4,
};

/**
 * A recipe's query, a profile, a sort or a de-duplication needs working memory next to the
 * table: hash tables and sort runs about as large as the columns they read.
 */
export const WORKING_FACTOR = 2;

export interface Estimate {
  /** The memory the dataset is expected to need in DuckDB-WASM's heap: the table and room to work on it. */
  bytes: number;
  /** Whether that fits in what the heap can give. */
  fits: boolean;
  /** Why not, in words for the user (only when it does not fit). */
  message?: string;
}

const UNITS: [number, string][] = [
  [2 ** 30, 'GB'],
  [2 ** 20, 'MB'],
  [2 ** 10, 'KB'],
];

/** A size in words: 1.5 GB, 812 MB, 3 KB, 12 bytes. */
export function formatSize(n: number): string {
  for (const [size, unit] of UNITS) {
    if (n >= size) {
      const v = n / size;
      return `${v >= 10 ? Math.round(v) : Number(v.toFixed(1))} ${unit}`;
    }
  }
  return `${n} bytes`;
}

/** Every cell of a text table costs at least DuckDB's 16-byte string header, however short. */
const CELL_BYTES = 16;
/** What longer strings add beyond their headers, per byte of file (W1: 237 MB for 158 MB). */
const LONG_STRING_BYTES_PER_FILE_BYTE = 0.3;
const SAMPLE_DELIMITERS = [0x2c, 0x09, 0x3b, 0x7c];

/** Cells per byte of a slice of a CSV or TSV: its lines plus its commonest delimiter. */
function cellsPerByte(sample: Uint8Array): number {
  let lines = 0;
  const counts = new Map<number, number>();
  for (const b of sample) {
    if (b === 0x0a) lines++;
    else if (SAMPLE_DELIMITERS.includes(b)) counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  const delimiters = Math.max(0, ...counts.values());
  return (delimiters + Math.max(1, lines)) / sample.length;
}

/**
 * A CSV or TSV as a table, from the cells in slices of it: a file of short fields (`a,b,c`)
 * takes far more than twice its size, one 16-byte header per cell. Each slice stands for its part
 * of the file (the mean of their densities), so a file whose first rows are long and the rest
 * short is not taken for a small one, nor one short last stretch for a whole file of them. 0 for
 * other formats.
 */
function textTableBytes(size: number, format: InputFormat, samples: Uint8Array[]): number {
  const slices = samples.filter((s) => s.length > 0);
  if ((format !== 'csv' && format !== 'tsv') || slices.length === 0) return 0;
  const density = slices.map(cellsPerByte).reduce((a, b) => a + b, 0) / slices.length;
  return size * density * CELL_BYTES + size * LONG_STRING_BYTES_PER_FILE_BYTE;
}

/**
 * The footprint of a file of `size` bytes in `format`, against `heapBytes` of usable heap
 * (default USABLE_HEAP_BYTES; a page that knows the device has less may pass less). With
 * samples of its bytes, a CSV's cells count too (short fields cost more than their bytes).
 */
export function estimateFootprint(
  name: string,
  size: number,
  format: InputFormat,
  heapBytes = USABLE_HEAP_BYTES,
  sample?: Uint8Array | Uint8Array[],
): Estimate {
  const perByte = TABLE_BYTES_PER_FILE_BYTE[format];
  const samples = sample === undefined ? [] : Array.isArray(sample) ? sample : [sample];
  const table = Math.max(size * perByte, textTableBytes(size, format, samples));
  const bytes = Math.ceil(table * WORKING_FACTOR);
  if (bytes <= heapBytes) return { bytes, fits: true };
  return {
    bytes,
    fits: false,
    message:
      `${name} (${formatSize(size)}) will not fit in the browser: cleaning it needs about ${formatSize(bytes)} of memory, ` +
      `and a browser tab can give at most about ${formatSize(heapBytes)}. Use the CLI (tidyvault clean) or a Tidyvault server for a file this large.`,
  };
}
