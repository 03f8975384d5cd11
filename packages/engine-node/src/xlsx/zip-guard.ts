import { open as openFile } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { formatBytes, notXlsx, XlsxError, zipBomb } from './xlsx-error.js';

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

export interface GuardedZip {
  /** Names of the file entries (folders left out), as stored. */
  readonly entryNames: readonly string[];
  /** Part names are case-insensitive in xlsx (OPC), so lookups are too. */
  has(name: string): boolean;
  /** The inflated bytes of one entry; errors are XlsxErrors and the caps are enforced while inflating. */
  openEntry(name: string): Promise<Readable>;
  close(): void;
}

interface InflateBudget {
  caps: XlsxCaps;
  /** Bytes inflated so far across every entry of this zip. */
  totalInflated: number;
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'the file does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder, not a file',
};

function fileError(e: unknown): XlsxError | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !code.startsWith('E')) return undefined;
  return new XlsxError('XLSX_CORRUPT', `cannot read the xlsx file: ${FILE_ERRORS[code] ?? code}`);
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** yauzl refuses unsafe names itself (before we see the entry); say so in our words. */
function fromYauzl(e: unknown): XlsxError {
  if (e instanceof XlsxError) return e;
  const m = message(e);
  const unsafe = /^(absolute path|invalid relative path|invalid characters in fileName): (.*)$/s.exec(m);
  if (unsafe)
    return new XlsxError('XLSX_UNSAFE', `the xlsx contains an unsafe entry name '${unsafe[2]}' — refused`);
  return fileError(e) ?? notXlsx(m);
}

/** Password-protected and legacy Excel files are OLE compound files, not zips: tell the user which. */
async function explainNonZip(path: string, e: XlsxError): Promise<XlsxError> {
  if (e.code !== 'XLSX_CORRUPT') return e;
  const head = Buffer.alloc(8);
  const fh = await openFile(path, 'r').catch(() => undefined);
  if (!fh) return e;
  try {
    await fh.read(head, 0, 8, 0);
  } finally {
    await fh.close();
  }
  if (head.equals(Buffer.from('d0cf11e0a1b11ae1', 'hex'))) {
    return notXlsx(
      'it is a password-protected workbook or a legacy .xls file; save it as an unprotected .xlsx',
    );
  }
  return e;
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      path,
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: true, autoClose: false },
      (err, zip) => (err || !zip ? reject(fromYauzl(err)) : resolve(zip)),
    );
  });
}

function checkName(name: string): void {
  if (/^([a-zA-Z]:|[/\\])/.test(name) || name.split(/[/\\]/).includes('..') || name.includes('\0')) {
    throw new XlsxError('XLSX_UNSAFE', `the xlsx contains an unsafe entry name '${name}' — refused`);
  }
}

function checkEntry(e: Entry, caps: XlsxCaps): void {
  const name = e.fileName;
  checkName(name);
  if (((e.externalFileAttributes >>> 16) & 0o170000) === SYMLINK_MODE) {
    throw new XlsxError('XLSX_UNSAFE', `the xlsx contains a symbolic link '${name}' — refused`);
  }
  if (e.isEncrypted()) {
    throw new XlsxError('XLSX_UNSAFE', `the xlsx contains an encrypted entry '${name}' — refused`);
  }
  if (ARCHIVE_NAME.test(name)) {
    throw new XlsxError('XLSX_UNSAFE', `the xlsx contains a nested archive '${name}' — refused`);
  }
  if (e.compressionMethod !== 0 && e.compressionMethod !== 8) {
    throw notXlsx(`the entry '${name}' uses an unsupported compression method (${e.compressionMethod})`);
  }
  checkSize(name, e.uncompressedSize, e.compressedSize, caps);
}

function checkSize(name: string, inflated: number, compressed: number, caps: XlsxCaps): void {
  if (inflated > caps.maxEntryBytes) {
    throw zipBomb(`the xlsx part '${name}' expands to more than ${formatBytes(caps.maxEntryBytes)}`);
  }
  if (inflated > RATIO_FLOOR_BYTES && inflated > compressed * caps.maxRatio) {
    throw zipBomb(`the xlsx part '${name}' is compressed more than ${caps.maxRatio}:1`);
  }
}

const tooBig = (caps: XlsxCaps) =>
  zipBomb(`the xlsx expands to more than ${formatBytes(caps.maxTotalBytes)}`);

function readDirectory(zip: ZipFile, caps: XlsxCaps): Promise<Map<string, Entry>> {
  if (zip.entryCount > caps.maxEntries) {
    return Promise.reject(zipBomb(`the xlsx has more than ${caps.maxEntries} entries`));
  }
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Entry>();
    let declaredTotal = 0;
    zip.on('entry', (e: Entry) => {
      try {
        checkEntry(e, caps);
        if (!e.fileName.endsWith('/')) {
          const key = e.fileName.toLowerCase();
          if (entries.has(key)) {
            throw new XlsxError('XLSX_UNSAFE', `the xlsx contains the entry '${e.fileName}' twice — refused`);
          }
          entries.set(key, e);
          declaredTotal += e.uncompressedSize;
          if (declaredTotal > caps.maxTotalBytes) throw tooBig(caps);
        }
        zip.readEntry();
      } catch (err) {
        reject(err);
      }
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (err) => reject(fromYauzl(err)));
    zip.readEntry();
  });
}

/**
 * Counts the bytes that really come out of the inflater (headers can lie) and fails the stream
 * the moment an entry or the whole zip passes its cap.
 */
export function createInflateMeter(name: string, compressedSize: number, budget: InflateBudget): Transform {
  const { caps } = budget;
  let inflated = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      inflated += chunk.length;
      budget.totalInflated += chunk.length;
      try {
        checkSize(name, inflated, compressedSize, caps);
        if (budget.totalInflated > caps.maxTotalBytes) throw tooBig(caps);
      } catch (e) {
        done(e as Error);
        return;
      }
      done(null, chunk);
    },
  });
}

function fromInflate(e: unknown, name: string): XlsxError {
  if (e instanceof XlsxError) return e;
  const m = message(e);
  if (m.startsWith('too many bytes in the stream')) {
    return zipBomb(`the xlsx part '${name}' inflates to more than its header declares`);
  }
  return notXlsx(`the part '${name}' is damaged (${m})`);
}

function openRaw(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(err) : resolve(stream)));
  });
}

export async function openGuardedZip(path: string, caps: XlsxCaps = DEFAULT_XLSX_CAPS): Promise<GuardedZip> {
  let zip: ZipFile;
  try {
    zip = await openZip(path);
  } catch (e) {
    throw await explainNonZip(path, fromYauzl(e));
  }
  let entries: Map<string, Entry>;
  try {
    entries = await readDirectory(zip, caps);
  } catch (e) {
    zip.close();
    throw e;
  }
  const budget: InflateBudget = { caps, totalInflated: 0 };
  return {
    entryNames: [...entries.values()].map((e) => e.fileName),
    has: (name) => entries.has(name.toLowerCase()),
    async openEntry(name) {
      const entry = entries.get(name.toLowerCase());
      if (!entry) throw notXlsx(`the part '${name}' is missing`);
      let raw: Readable;
      try {
        raw = await openRaw(zip, entry);
      } catch (e) {
        throw fromInflate(e, name);
      }
      const meter = createInflateMeter(name, entry.compressedSize, budget);
      raw.on('error', (e) => meter.destroy(fromInflate(e, name)));
      meter.on('error', () => raw.destroy());
      meter.on('close', () => raw.destroy());
      return raw.pipe(meter);
    },
    close: () => zip.close(),
  };
}
