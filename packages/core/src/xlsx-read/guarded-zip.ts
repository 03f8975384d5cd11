import { formatBytes } from '../format-bytes.js';
import { notXlsx, XlsxError, zipBomb } from './xlsx-error.js';

/*
 * The zip of an xlsx, read from a Blob (a File in the browser, fs.openAsBlob in Node): the
 * central directory is read from the end, an entry's bytes are sliced and inflated with
 * DecompressionStream('deflate-raw'). Guarded against zip bombs and unsafe archives: entry
 * count, size per entry and in all (counted as they come out of the inflater: headers can lie),
 * compression ratio, unsafe names, symbolic links, encryption, nested archives, duplicates.
 */

export interface XlsxCaps {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Largest uncompressed:compressed ratio, checked only for entries over 1 MiB. */
  maxRatio: number;
}

export const DEFAULT_XLSX_CAPS: Readonly<XlsxCaps> = Object.freeze({
  maxEntries: 10_000,
  maxEntryBytes: 512 * 2 ** 20,
  maxTotalBytes: 2 * 2 ** 30,
  maxRatio: 100,
});

const RATIO_FLOOR_BYTES = 2 ** 20;
const ARCHIVE_NAME =
  /\.(zip|jar|xlsx|xlsm|xlsb|xltx|xltm|docx|docm|pptx|pptm|odt|ods|odp|gz|tgz|bz2|xz|zst|7z|rar|tar|cab)$/i;
const SYMLINK_MODE = 0o120000;
const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export interface GuardedZip {
  readonly entryNames: readonly string[];
  /** Part names are case-insensitive in xlsx (OPC), so lookups are too. */
  has(name: string): boolean;
  /** The size an entry says it inflates to (checked while inflating), or undefined without it. */
  inflatedSize(name: string): number | undefined;
  /** The inflated bytes of one entry, the caps enforced while inflating. */
  openEntry(name: string): AsyncIterable<Uint8Array>;
}

interface Entry {
  fileName: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
  externalAttributes: number;
}

const cp437 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function checkName(name: string): void {
  if (
    /^([a-zA-Z]:|[/\\])/.test(name) ||
    name.split(/[/\\]/).includes('..') ||
    name.includes('\0') ||
    name.includes('\\')
  ) {
    throw new XlsxError('XLSX_UNSAFE', `the xlsx contains an unsafe entry name '${name}' — refused`);
  }
}

function checkSize(name: string, inflated: number, compressed: number, caps: XlsxCaps): void {
  if (inflated > caps.maxEntryBytes) {
    throw zipBomb(`the xlsx part '${name}' expands to more than ${formatBytes(caps.maxEntryBytes)}`);
  }
  if (inflated > RATIO_FLOOR_BYTES && inflated > compressed * caps.maxRatio) {
    throw zipBomb(`the xlsx part '${name}' is compressed more than ${caps.maxRatio}:1`);
  }
}

function checkEntry(e: Entry, caps: XlsxCaps): void {
  const name = e.fileName;
  checkName(name);
  if (((e.externalAttributes >>> 16) & 0o170000) === SYMLINK_MODE) {
    throw new XlsxError('XLSX_UNSAFE', `the xlsx contains a symbolic link '${name}' — refused`);
  }
  if (e.flags & 1) {
    throw new XlsxError('XLSX_UNSAFE', `the xlsx contains an encrypted entry '${name}' — refused`);
  }
  if (ARCHIVE_NAME.test(name)) {
    throw new XlsxError('XLSX_UNSAFE', `the xlsx contains a nested archive '${name}' — refused`);
  }
  if (e.method !== 0 && e.method !== 8) {
    throw notXlsx(`the entry '${name}' uses an unsupported compression method (${e.method})`);
  }
  checkSize(name, e.uncompressedSize, e.compressedSize, caps);
}

const tooBig = (caps: XlsxCaps) =>
  zipBomb(`the xlsx expands to more than ${formatBytes(caps.maxTotalBytes)}`);

async function bytesAt(blob: Blob, start: number, end: number): Promise<DataView> {
  return new DataView(await blob.slice(start, end).arrayBuffer());
}

/** The end-of-central-directory record: where the directory is and how many entries it has. */
async function findDirectory(blob: Blob): Promise<{ count: number; offset: number; size: number }> {
  // The record is 22 bytes plus a comment of at most 65,535.
  const start = Math.max(0, blob.size - 22 - 0xffff);
  const tail = await bytesAt(blob, start, blob.size);
  for (let i = tail.byteLength - 22; i >= 0; i--) {
    if (tail.getUint32(i, true) !== EOCD) continue;
    const count = tail.getUint16(i + 10, true);
    const size = tail.getUint32(i + 12, true);
    const offset = tail.getUint32(i + 16, true);
    if (count === 0xffff || offset === 0xffffffff) throw notXlsx('ZIP64 archives are not supported');
    if (offset + size > start + i) throw notXlsx('the central directory lies outside the file');
    return { count, offset, size };
  }
  const head = new Uint8Array(await blob.slice(0, 8).arrayBuffer());
  if (
    head.length === 8 &&
    Array.from(head, (b) => b.toString(16).padStart(2, '0')).join('') === 'd0cf11e0a1b11ae1'
  ) {
    throw notXlsx(
      'it is a password-protected workbook or a legacy .xls file; save it as an unprotected .xlsx',
    );
  }
  throw notXlsx('end of central directory record signature not found');
}

async function readEntries(blob: Blob, caps: XlsxCaps): Promise<Map<string, Entry>> {
  const { count, offset, size } = await findDirectory(blob);
  if (count > caps.maxEntries) throw zipBomb(`the xlsx has more than ${caps.maxEntries} entries`);
  const dir = await bytesAt(blob, offset, offset + size);
  const bytes = new Uint8Array(dir.buffer);
  const entries = new Map<string, Entry>();
  let declaredTotal = 0;
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > dir.byteLength || dir.getUint32(at, true) !== CENTRAL)
      throw notXlsx('invalid central directory file header signature');
    const flags = dir.getUint16(at + 8, true);
    const nameLength = dir.getUint16(at + 28, true);
    const extraLength = dir.getUint16(at + 30, true);
    const commentLength = dir.getUint16(at + 32, true);
    const raw = bytes.subarray(at + 46, at + 46 + nameLength);
    const e: Entry = {
      fileName: (flags & 0x800 ? utf8 : cp437).decode(raw),
      method: dir.getUint16(at + 10, true),
      flags,
      compressedSize: dir.getUint32(at + 20, true),
      uncompressedSize: dir.getUint32(at + 24, true),
      localOffset: dir.getUint32(at + 42, true),
      externalAttributes: dir.getUint32(at + 38, true),
    };
    at += 46 + nameLength + extraLength + commentLength;
    checkEntry(e, caps);
    if (e.fileName.endsWith('/')) continue;
    const key = e.fileName.toLowerCase();
    if (entries.has(key))
      throw new XlsxError('XLSX_UNSAFE', `the xlsx contains the entry '${e.fileName}' twice — refused`);
    entries.set(key, e);
    declaredTotal += e.uncompressedSize;
    if (declaredTotal > caps.maxTotalBytes) throw tooBig(caps);
  }
  return entries;
}

/** The zip of an xlsx, with the caps enforced on its directory and while inflating. */
export async function openGuardedZip(blob: Blob, caps: XlsxCaps = DEFAULT_XLSX_CAPS): Promise<GuardedZip> {
  const entries = await readEntries(blob, caps);
  const budget = { totalInflated: 0 };
  return {
    entryNames: [...entries.values()].map((e) => e.fileName),
    has: (name) => entries.has(name.toLowerCase()),
    inflatedSize: (name) => entries.get(name.toLowerCase())?.uncompressedSize,
    async *openEntry(name) {
      const entry = entries.get(name.toLowerCase());
      if (!entry) throw notXlsx(`the part '${name}' is missing`);
      const local = await bytesAt(blob, entry.localOffset, entry.localOffset + 30);
      if (local.byteLength < 30 || local.getUint32(0, true) !== LOCAL)
        throw notXlsx(`the part '${name}' is damaged (invalid local file header signature)`);
      const start = entry.localOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
      if (start + entry.compressedSize > blob.size)
        throw notXlsx(`the part '${name}' is damaged (it ends past the file)`);
      const data = blob.slice(start, start + entry.compressedSize);
      const stream =
        entry.method === 8
          ? data.stream().pipeThrough(new DecompressionStream('deflate-raw'))
          : data.stream();
      const reader = stream.getReader();
      let inflated = 0;
      try {
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (e) {
            throw notXlsx(`the part '${name}' is damaged (${(e as Error).message ?? String(e)})`);
          }
          if (chunk.done) break;
          inflated += chunk.value.byteLength;
          budget.totalInflated += chunk.value.byteLength;
          if (inflated > entry.uncompressedSize)
            throw zipBomb(`the xlsx part '${name}' inflates to more than its header declares`);
          checkSize(name, inflated, entry.compressedSize, caps);
          if (budget.totalInflated > caps.maxTotalBytes) throw tooBig(caps);
          yield chunk.value;
        }
        if (inflated !== entry.uncompressedSize)
          throw notXlsx(
            `the part '${name}' is damaged (expected ${entry.uncompressedSize} bytes, got ${inflated})`,
          );
      } finally {
        await reader.cancel().catch(() => undefined);
      }
    },
  };
}
