import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cellTooLong, CsvLimitScanner, CsvLimitWatch, type UploadLimits } from './limits.js';

const COMMA = 0x2c;
const QUOTE = 0x22;

/** What a scan of `chunks` concluded: passed, or the error it threw (code, message, details). */
function outcome(chunks: Uint8Array[], limits: UploadLimits, fastLines: boolean): unknown {
  const scanner = new CsvLimitScanner(COMMA, QUOTE, limits, (i) => `c${i}`, fastLines);
  try {
    for (const c of chunks) scanner.push(c);
    return 'passed';
  } catch (e) {
    const { code, message, details } = e as { code: string; message: string; details: unknown };
    return { code, message, details };
  }
}

/** `bytes` cut at the given offsets (sorted, deduplicated), as a stream would deliver it. */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

const csvBytes = fc
  .array(fc.constantFrom('a', 'bc', ',', '"', '""', '\n', '\r', '\r\n', 'é', ' '), { maxLength: 80 })
  .map((parts) => new TextEncoder().encode(parts.join('')));

describe('CsvLimitScanner', () => {
  it('skipping whole lines changes nothing: same verdict, line and column as byte by byte', () => {
    fc.assert(
      fc.property(
        csvBytes,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 12 }),
        (bytes, cuts, maxColumns, maxCellBytes) => {
          const limits = { maxColumns, maxCellBytes };
          const chunks = cut(bytes, cuts);
          expect(outcome(chunks, limits, true)).toEqual(outcome([bytes], limits, false));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('names the line of a record too wide after lines it skipped, CRLF and quoted newlines counted', () => {
    const text = 'a,b\r\n"x\ny",z\n"q""",r\nlast,row,has,four\n';
    const r = outcome([new TextEncoder().encode(text)], { maxColumns: 3, maxCellBytes: 100 }, true);
    expect(r).toMatchObject({ code: 'UPLOAD_TOO_MANY_COLUMNS', details: { line: 5 } });
  });

  it('searches each byte of a chunk a bounded number of times, whatever its lines', () => {
    /** Bytes whose searches (indexOf) count the bytes they look at. */
    class CountingBytes extends Uint8Array {
      searched = 0;
      override indexOf(value: number, from = 0): number {
        const at = super.indexOf(value, from);
        this.searched += (at === -1 ? this.length : at + 1) - from;
        return at;
      }
    }
    // Records with a quoted line break (each handed to the byte-by-byte scan) and no CR: the
    // search for the next CR must not start over from each.
    const line = 'a,"b\nc",d\n';
    const chunk = CountingBytes.from(new TextEncoder().encode(line.repeat(20_000)));
    const scanner = new CsvLimitScanner(COMMA, QUOTE, { maxColumns: 8, maxCellBytes: 100 }, () => 'c');
    scanner.push(chunk);
    expect(chunk.searched).toBeLessThan(3 * chunk.length);
  });

  it('refuses a long cell in a line it would otherwise skip', () => {
    const text = 'a,b\nshort,' + 'x'.repeat(50) + '\n';
    const r = outcome([new TextEncoder().encode(text)], { maxColumns: 1000, maxCellBytes: 20 }, true);
    expect(r).toMatchObject({ code: 'UPLOAD_CELL_TOO_LONG', details: { line: 2, column: 'c1' } });
  });
});

describe('CsvLimitWatch', () => {
  it('refuses a first record longer than the sniffed sample by its cell, as it arrives', async () => {
    const big = '"' + 'x'.repeat(1.5 * 2 ** 20) + '",b\n1,2\n';
    for (const header of [undefined, false]) {
      const watch = new CsvLimitWatch('csv', { maxColumns: 1000, maxCellBytes: 2 ** 20 }, { header });
      const chunks = Array.from({ length: Math.ceil(big.length / 65_536) }, (_, i) =>
        Buffer.from(big.slice(i * 65_536, (i + 1) * 65_536)),
      );
      const sink = new Writable({ write: (_c, _e, done) => done() });
      await expect(pipeline(Readable.from(chunks), watch, sink), String(header)).rejects.toMatchObject({
        code: 'UPLOAD_CELL_TOO_LONG',
      });
      expect(watch.checked).toBe(true);
    }
  });

  it('names a header cell over the limit by its start, not by all its megabytes', async () => {
    const big = 'x'.repeat(1.5 * 2 ** 20) + ',b\n1,2\n';
    const watch = new CsvLimitWatch('csv', { maxColumns: 1000, maxCellBytes: 2 ** 20 }, { header: true });
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const e = (await pipeline(Readable.from([Buffer.from(big)]), watch, sink).catch((x: unknown) => x)) as {
      code: string;
      message: string;
      details: { column?: string };
    };
    expect(e.code).toBe('UPLOAD_CELL_TOO_LONG');
    expect(e.message.length).toBeLessThan(400);
    expect(e.details.column).toBe('x'.repeat(100) + '…');
  });

  it('shortens a long name at a character, not inside a surrogate pair', () => {
    const e = cellTooLong(10, 'line 1', 'a' + '😀'.repeat(200));
    expect(e.details).toMatchObject({ column: 'a' + '😀'.repeat(99) + '…' });
  });
});
