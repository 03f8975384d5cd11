import { DuckDBDataProtocol, type AsyncDuckDB } from '@duckdb/duckdb-wasm';

const CHUNK_BYTES = 1 << 20;

/**
 * Bytes being imported, wherever they live: a File (or Blob) the user picked, or a Uint8Array.
 * DuckDB reads them as a registered file; the importer reads parts of them for sniffing and,
 * only when something goes wrong, for scanning and transcoding.
 */
export interface CsvInput {
  readonly size: number;
  /** A copy of the first `n` bytes. */
  head(n: number): Promise<Uint8Array>;
  /** The bytes from `start` on, in chunks. */
  chunks(start?: number): AsyncIterable<Uint8Array>;
  /** Make the bytes readable by DuckDB as `path` (at most once). */
  register(db: AsyncDuckDB, path: string): Promise<void>;
}

/**
 * A File or Blob: DuckDB's worker reads the slices it needs with FileReaderSync
 * (BROWSER_FILEREADER), so the file is never copied whole into memory.
 */
export class BlobInput implements CsvInput {
  constructor(private readonly blob: Blob) {}

  get size(): number {
    return this.blob.size;
  }

  async head(n: number): Promise<Uint8Array> {
    return new Uint8Array(await this.blob.slice(0, n).arrayBuffer());
  }

  async *chunks(start = 0): AsyncIterable<Uint8Array> {
    for (let at = start; at < this.blob.size; at += CHUNK_BYTES) {
      yield new Uint8Array(await this.blob.slice(at, at + CHUNK_BYTES).arrayBuffer());
    }
  }

  async register(db: AsyncDuckDB, path: string): Promise<void> {
    await db.registerFileHandle(path, this.blob, DuckDBDataProtocol.BROWSER_FILEREADER, true);
  }
}

/**
 * A Uint8Array. Registering hands its buffer to DuckDB's worker without a copy (transferred:
 * the caller's array is left empty) when the array spans its whole ArrayBuffer; otherwise the
 * viewed bytes are copied first, so the caller's other data stays put. Once handed over, the
 * rare reads that need the bytes again (explaining a failure) copy them back from the worker.
 */
export class BytesInput implements CsvInput {
  /** The bytes, until handed to the worker (or a copy fetched back from it). */
  private bytes: Uint8Array | undefined;
  private registered: { db: AsyncDuckDB; path: string } | undefined;
  readonly size: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.size = bytes.byteLength;
  }

  private async all(): Promise<Uint8Array> {
    if (this.bytes) return this.bytes;
    const { db, path } = this.registered!;
    this.bytes = await db.copyFileToBuffer(path);
    return this.bytes;
  }

  async head(n: number): Promise<Uint8Array> {
    return (await this.all()).slice(0, n);
  }

  async *chunks(start = 0): AsyncIterable<Uint8Array> {
    const bytes = await this.all();
    for (let at = start; at < bytes.byteLength; at += CHUNK_BYTES) {
      yield bytes.subarray(at, Math.min(bytes.byteLength, at + CHUNK_BYTES));
    }
  }

  async register(db: AsyncDuckDB, path: string): Promise<void> {
    const bytes = this.bytes!;
    const whole =
      bytes.buffer instanceof ArrayBuffer &&
      bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength;
    this.bytes = undefined;
    this.registered = { db, path };
    await db.registerFileBuffer(path, whole ? bytes : bytes.slice());
  }
}
