import { open, rm, type FileHandle } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { formatBytes, XlsxError } from '@tidyvault/core';

/** Without ZIP64 every size and offset must fit in 32 bits. */
const MAX_ZIP32 = 0xffff_ffff;
const UTF8_NAMES = 0x0800;
const DEFLATE = 8;
const VERSION = 20;
/** 1980-01-01 00:00 in DOS format: the file carries no timestamp of the export. */
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** zlib.crc32 needs Node 20.15; the table version keeps older Node 20 releases working. */
const crc32: (data: Buffer, value: number) => number =
  typeof zlib.crc32 === 'function'
    ? zlib.crc32
    : (data, value) => {
        let c = ~value;
        for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
        return ~c >>> 0;
      };

interface WrittenEntry {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

function localHeader(e: WrittenEntry): Buffer {
  const b = Buffer.alloc(30 + e.name.length);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(VERSION, 4);
  b.writeUInt16LE(UTF8_NAMES, 6);
  b.writeUInt16LE(DEFLATE, 8);
  b.writeUInt16LE(DOS_TIME, 10);
  b.writeUInt16LE(DOS_DATE, 12);
  b.writeUInt32LE(e.crc, 14);
  b.writeUInt32LE(e.compressed, 18);
  b.writeUInt32LE(e.size, 22);
  b.writeUInt16LE(e.name.length, 26);
  e.name.copy(b, 30);
  return b;
}

function centralHeader(e: WrittenEntry): Buffer {
  const b = Buffer.alloc(46 + e.name.length);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(VERSION, 4);
  b.writeUInt16LE(VERSION, 6);
  b.writeUInt16LE(UTF8_NAMES, 8);
  b.writeUInt16LE(DEFLATE, 10);
  b.writeUInt16LE(DOS_TIME, 12);
  b.writeUInt16LE(DOS_DATE, 14);
  b.writeUInt32LE(e.crc, 16);
  b.writeUInt32LE(e.compressed, 20);
  b.writeUInt32LE(e.size, 24);
  b.writeUInt16LE(e.name.length, 28);
  b.writeUInt32LE(e.offset, 42);
  e.name.copy(b, 46);
  return b;
}

function endOfDirectory(count: number, size: number, offset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(size, 12);
  b.writeUInt32LE(offset, 16);
  return b;
}

const tooLarge = () =>
  new XlsxError(
    'XLSX_LIMIT',
    `the xlsx would be larger than ${formatBytes(MAX_ZIP32)}; export to CSV or Parquet instead`,
  );

/**
 * Writes a zip of deflated entries straight to a file (mode 0600). Each entry's header is
 * patched in place once its data is written, so nothing is buffered beyond a deflate window.
 */
export class ZipFileWriter {
  private offset = 0;
  private readonly entries: WrittenEntry[] = [];

  private constructor(
    private readonly file: FileHandle,
    private readonly path: string,
  ) {}

  static async create(path: string): Promise<ZipFileWriter> {
    return new ZipFileWriter(await open(path, 'w', 0o600), path);
  }

  /** Pulls from `source` only as fast as deflate and the disk take it. */
  async add(name: string, source: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<void> {
    const entry: WrittenEntry = {
      name: Buffer.from(name, 'utf8'),
      crc: 0,
      compressed: 0,
      size: 0,
      offset: this.offset,
    };
    await this.append(localHeader(entry));
    const dataStart = this.offset;
    async function* measured() {
      for await (const chunk of source) {
        entry.crc = crc32(chunk, entry.crc);
        entry.size += chunk.length;
        if (entry.size > MAX_ZIP32) throw tooLarge();
        yield chunk;
      }
    }
    await pipeline(Readable.from(measured()), zlib.createDeflateRaw(), this.sink());
    entry.compressed = this.offset - dataStart;
    if (this.offset > MAX_ZIP32) throw tooLarge();
    await this.writeAt(localHeader(entry), entry.offset);
    this.entries.push(entry);
  }

  async finish(): Promise<void> {
    const directoryStart = this.offset;
    for (const e of this.entries) await this.append(centralHeader(e));
    const directorySize = this.offset - directoryStart;
    if (this.offset > MAX_ZIP32) throw tooLarge();
    await this.append(endOfDirectory(this.entries.length, directorySize, directoryStart));
    await this.file.close();
  }

  /** Closes and deletes the partial file. */
  async abort(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  private sink(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.append(chunk).then(() => done(), done);
      },
    });
  }

  private async append(data: Buffer): Promise<void> {
    await this.writeAt(data, this.offset);
    this.offset += data.length;
  }

  private async writeAt(data: Buffer, position: number): Promise<void> {
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.file.write(
        data,
        written,
        data.length - written,
        position + written,
      );
      written += bytesWritten;
    }
  }
}
