import { TidyvaultError } from '@tidyvault/core';

/*
 * A zip of deflated entries as a Blob, in the browser (CompressionStream 'deflate-raw'), laid
 * out as engine-node's xlsx/zip-writer.ts lays it out: the same headers (UTF-8 names, deflate,
 * no timestamp of the export), so two workbooks differ only where the two deflaters do.
 */

/** Without ZIP64 every size and offset must fit in 32 bits. */
const MAX_ZIP32 = 0xffff_ffff;
const UTF8_NAMES = 0x0800;
const DEFLATE = 8;
const VERSION = 20;
/** 1980-01-01 00:00 in DOS format. */
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (as zip uses it) of `data`, continuing from `crc`. */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

interface Entry {
  name: Uint8Array;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

function localHeader(e: Entry): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(30 + e.name.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(4, VERSION, true);
  v.setUint16(6, UTF8_NAMES, true);
  v.setUint16(8, DEFLATE, true);
  v.setUint16(10, DOS_TIME, true);
  v.setUint16(12, DOS_DATE, true);
  v.setUint32(14, e.crc, true);
  v.setUint32(18, e.compressed, true);
  v.setUint32(22, e.size, true);
  v.setUint16(26, e.name.length, true);
  b.set(e.name, 30);
  return b;
}

function centralHeader(e: Entry): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(46 + e.name.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x02014b50, true);
  v.setUint16(4, VERSION, true);
  v.setUint16(6, VERSION, true);
  v.setUint16(8, UTF8_NAMES, true);
  v.setUint16(10, DEFLATE, true);
  v.setUint16(12, DOS_TIME, true);
  v.setUint16(14, DOS_DATE, true);
  v.setUint32(16, e.crc, true);
  v.setUint32(20, e.compressed, true);
  v.setUint32(24, e.size, true);
  v.setUint16(28, e.name.length, true);
  v.setUint32(42, e.offset, true);
  b.set(e.name, 46);
  return b;
}

function endOfDirectory(count: number, size: number, offset: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(22);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, count, true);
  v.setUint16(10, count, true);
  v.setUint32(12, size, true);
  v.setUint32(16, offset, true);
  return b;
}

const tooLarge = (what: string) =>
  new TidyvaultError('EXPORT', `the ${what} would be larger than 4 GiB; export to CSV or Parquet instead`);

/**
 * Entries of text, deflated as they come (only the compressed bytes are kept), into one Blob.
 * `what` names the file in the too-large message (e.g. "xlsx").
 */
export async function zipBlob(
  entries: { name: string; text: AsyncIterable<string> | Iterable<string> }[],
  what: string,
  type: string,
): Promise<Blob> {
  const encoder = new TextEncoder();
  const parts: BlobPart[] = [];
  const written: Entry[] = [];
  let offset = 0;
  for (const { name, text } of entries) {
    const entry: Entry = { name: encoder.encode(name), crc: 0, compressed: 0, size: 0, offset };
    const deflate = new CompressionStream('deflate-raw');
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    const reading = (async () => {
      const reader = deflate.readable.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        chunks.push(value as Uint8Array<ArrayBuffer>);
        entry.compressed += value.byteLength;
      }
    })();
    const writer = deflate.writable.getWriter();
    try {
      for await (const piece of text) {
        const bytes = encoder.encode(piece);
        entry.crc = crc32(bytes, entry.crc);
        entry.size += bytes.byteLength;
        if (entry.size > MAX_ZIP32) throw tooLarge(what);
        await writer.write(bytes);
      }
      await writer.close();
    } catch (e) {
      await writer.abort(e).catch(() => undefined);
      await reading.catch(() => undefined);
      throw e;
    }
    await reading;
    const header = localHeader(entry);
    parts.push(header, ...chunks);
    offset += header.byteLength + entry.compressed;
    if (offset > MAX_ZIP32) throw tooLarge(what);
    written.push(entry);
  }
  const directoryStart = offset;
  for (const e of written) {
    const h = centralHeader(e);
    parts.push(h);
    offset += h.byteLength;
  }
  if (offset > MAX_ZIP32) throw tooLarge(what);
  parts.push(endOfDirectory(written.length, offset - directoryStart, directoryStart));
  return new Blob(parts, { type });
}
