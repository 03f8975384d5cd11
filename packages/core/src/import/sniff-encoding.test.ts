import { describe, expect, it } from 'vitest';
import { firstRecord } from '../text/first-record.js';
import { decodeSample } from './decode-text.js';
import { ImportSniffError } from './errors.js';
import { repairHeaderNames } from './header-names.js';
import { chooseEncoding, sniffEncoding } from './sniff-encoding.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...utf8(p)] : p)));

function utf16(text: string, littleEndian: boolean, bom = true): Uint8Array {
  const out = new Uint8Array((text.length + (bom ? 1 : 0)) * 2);
  const units = bom ? '\uFEFF' + text : text;
  for (let i = 0; i < units.length; i++) {
    const u = units.charCodeAt(i);
    out[2 * i] = littleEndian ? u & 0xff : u >> 8;
    out[2 * i + 1] = littleEndian ? u >> 8 : u & 0xff;
  }
  return out;
}

function sniffError(sample: Uint8Array, whole = true): ImportSniffError {
  try {
    sniffEncoding(sample, whole);
  } catch (e) {
    if (e instanceof ImportSniffError) return e;
    throw e;
  }
  throw new Error('expected sniffEncoding to throw');
}

describe('sniffEncoding: text encodings', () => {
  it('reads plain ASCII and UTF-8 as utf-8', () => {
    expect(sniffEncoding(utf8('id,name\n1,Zoë\n'), true)).toEqual({ encoding: 'utf-8', bomLength: 0 });
  });

  it('takes a UTF-8 byte-order mark and skips it', () => {
    expect(sniffEncoding(bytes([0xef, 0xbb, 0xbf], 'id,name\n1,a\n'), true)).toEqual({
      encoding: 'utf-8',
      bomLength: 3,
    });
  });

  it('takes UTF-16LE and UTF-16BE byte-order marks', () => {
    expect(sniffEncoding(utf16('id,name\n1,Zoë €\n', true), true)).toEqual({
      encoding: 'utf-16le',
      bomLength: 2,
    });
    expect(sniffEncoding(utf16('id,name\n1,Zoë €\n', false), true)).toEqual({
      encoding: 'utf-16be',
      bomLength: 2,
    });
  });

  it('recognises UTF-16 without a byte-order mark by where its NULs are', () => {
    expect(sniffEncoding(utf16('id,name\n1,abc\n', true, false), true)).toEqual({
      encoding: 'utf-16le',
      bomLength: 0,
    });
    expect(sniffEncoding(utf16('id,name\n1,abc\n', false, false), true)).toEqual({
      encoding: 'utf-16be',
      bomLength: 0,
    });
  });

  it('recognises UTF-16 without a byte-order mark holding characters with a NUL in their other byte', () => {
    // 😀 is D83D DE00; 一 (U+4E00) and Ā (U+0100) have a NUL low byte.
    for (const text of ['a,b\nx,😀\n', 'id,name\n1,一二三\n2,Āb\n']) {
      expect(sniffEncoding(utf16(text, true, false), true), text).toEqual({
        encoding: 'utf-16le',
        bomLength: 0,
      });
      expect(sniffEncoding(utf16(text, false, false), true), text).toEqual({
        encoding: 'utf-16be',
        bomLength: 0,
      });
    }
  });

  it('falls back to Windows-1252 for € ’ é bytes that are not UTF-8', () => {
    const sample = bytes('price,note\n5 ', [0x80], ',it', [0x92], 's caf', [0xe9], '\n');
    expect(sniffEncoding(sample, true)).toEqual({ encoding: 'windows-1252', bomLength: 0 });
    expect(decodeSample(sample, { encoding: 'windows-1252', bomLength: 0 }, true)).toBe(
      'price,note\n5 €,it’s café\n',
    );
  });

  it('refuses UTF-8 text followed by a Windows-1252 byte: reading it as either would change text', () => {
    const e = sniffError(bytes('id,name\n0,Zoë\n1,M', [0xfc], 'ller\n'));
    expect(e.code).toBe('ENCODING');
    expect(e.message).toMatch(
      /^line 3: bytes that are not valid UTF-8 \(byte 19\), in a file that holds UTF-8 text before them; it mixes encodings/,
    );
    expect(e.line).toBe(3);
  });

  it('accepts a multi-byte character cut by the end of a partial sample', () => {
    const cut = utf8('name\nZoë').subarray(0, -1);
    expect(sniffEncoding(cut, false)).toEqual({ encoding: 'utf-8', bomLength: 0 });
    expect(sniffEncoding(cut, true).encoding).toBe('windows-1252');
  });

  it('names the byte and line of bytes that are neither UTF-8 nor Windows-1252', () => {
    const e = sniffError(bytes('a,b\r\n1,caf', [0xe9], '\n2,x', [0x81], '\n'));
    expect(e.code).toBe('ENCODING');
    expect(e.message).toBe('bytes that are neither UTF-8 nor Windows-1252 at byte 16 (line 3)');
    expect({ byteOffset: e.byteOffset, line: e.line }).toEqual({ byteOffset: 15, line: 3 });
  });

  it('points at the UTF-8 break when the text was UTF-8 until then', () => {
    // Á is C3 81: valid UTF-8 whose second byte Windows-1252 leaves undefined.
    const e = sniffError(bytes('name\nÁlvaro\n', [0xff], '\n'));
    expect(e.message).toBe('bytes that are neither UTF-8 nor Windows-1252 at byte 14 (line 3)');
  });

  it('refuses invalid UTF-8 after a UTF-8 byte-order mark', () => {
    const e = sniffError(bytes([0xef, 0xbb, 0xbf], 'a\n', [0xe9], '\n'));
    expect(e.code).toBe('ENCODING');
    expect(e.message).toMatch(/not valid UTF-8 at byte 6 \(line 2\)/);
  });

  it('refuses UTF-16 with an unpaired surrogate, naming its byte', () => {
    const sample = utf16('a\n\uD800b', true);
    const e = sniffError(sample);
    expect(e.code).toBe('ENCODING');
    expect(e.message).toBe('bytes that are not valid UTF-16LE at byte 7 (line 2)');
  });

  it('refuses UTF-32', () => {
    expect(sniffError(bytes([0xff, 0xfe, 0, 0, 0x61, 0, 0, 0])).message).toMatch(/UTF-32/);
  });
});

describe('sniffEncoding: empty files', () => {
  it.each([
    ['no bytes', new Uint8Array()],
    ['only a UTF-8 BOM', bytes([0xef, 0xbb, 0xbf])],
    ['only a UTF-16 BOM', bytes([0xff, 0xfe])],
    ['only whitespace and newlines', utf8('  \r\n\t\n\n ')],
    ['UTF-16 whitespace', utf16(' \r\n', false)],
  ])('%s is empty', (_, sample) => {
    const e = sniffError(sample);
    expect(e.code).toBe('EMPTY');
    expect(e.message).toBe('the file is empty');
  });

  it('does not call a partial sample of whitespace empty', () => {
    expect(sniffEncoding(utf8('\n\n\n'), false).encoding).toBe('utf-8');
  });
});

describe('sniffEncoding: binary files', () => {
  it.each([
    ['an xlsx/zip file', bytes('PK', [3, 4, 20, 0, 6, 0], '[Content_Types].xml')],
    ['a PNG image', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], 'IHDR')],
    ['a PDF file', utf8('%PDF-1.7\n%âãÏÓ\n1 0 obj\n')],
    ['a gzip file', bytes([0x1f, 0x8b, 0x08, 0x00])],
    ['a Parquet file', bytes('PAR1', [0x15, 0x04])],
  ])('names %s by its signature', (looksLike, sample) => {
    const e = sniffError(sample, false);
    expect(e.code).toBe('BINARY');
    expect(e.message).toBe(`the file looks binary (it looks like ${looksLike}), not CSV text`);
  });

  it('does not take a CSV whose first column is named PAR1 for Parquet', () => {
    expect(sniffEncoding(utf8('PAR1,PAR2\n1,2\n'), true).encoding).toBe('utf-8');
  });

  it('keeps a stray NUL byte as data (a CSV Tidyvault wrote from a value holding one reads back)', () => {
    expect(sniffEncoding(bytes('a,b\n1,"x', [0], 'y"\n'), true)).toEqual({ encoding: 'utf-8', bomLength: 0 });
    expect(sniffEncoding(utf16('a,b\n1,x\u0000y\n', true), true).encoding).toBe('utf-16le');
  });

  it('calls a file of mostly NUL bytes binary', () => {
    const e = sniffError(bytes('a,b\n', new Array<number>(64).fill(0), '\n'));
    expect(e.code).toBe('BINARY');
    expect(e.message).toMatch(/93% of its bytes are control characters/);
  });

  it('calls a file with many control characters binary', () => {
    const e = sniffError(bytes('a,b\n', [1, 2, 3, 4, 5, 6, 0x1b, 0x7f], 'x\n'));
    expect(e.code).toBe('BINARY');
    expect(e.message).toMatch(/control characters/);
  });

  it('lets a few control characters and form feeds through', () => {
    expect(sniffEncoding(bytes('a,b\n1,x', [0x1b], 'y\n2,z\f\n3,more text here\n'), true).encoding).toBe(
      'utf-8',
    );
  });
});

describe('the byte-order mark never reaches the first header name', () => {
  it.each([
    ['UTF-8', bytes([0xef, 0xbb, 0xbf], 'id,name\n1,a\n')],
    ['UTF-8 with the BOM written twice', bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], 'id,name\n1,a\n')],
    ['UTF-16LE', utf16('id,name\n1,a\n', true)],
    ['UTF-16BE', utf16('id,name\n1,a\n', false)],
  ])('%s', (_, sample) => {
    const text = decodeSample(sample, sniffEncoding(sample, true), true);
    expect(repairHeaderNames(firstRecord(text, ',', '"')!)).toEqual(['id', 'name']);
  });
});

describe('chooseEncoding', () => {
  const utf8Bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('a,b\n1,2\n')]);
  const plain = new TextEncoder().encode('a,b\n1,2\n');
  it('refuses an encoding asked for that the byte-order mark or the bytes contradict', () => {
    expect(() => chooseEncoding(utf8Bom, true, 'utf-16le')).toThrow(
      /starts with a UTF-8 byte-order mark, but it was asked to be read as UTF-16LE/,
    );
    expect(() => chooseEncoding(plain, true, 'utf-16be')).toThrow(/cannot be UTF-16BE: it has no NUL bytes/);
  });
  it('reads UTF-16 asked for that the sniffer alone would call binary', () => {
    // Mostly characters whose both bytes can be NUL-free or NUL: no pattern to go by, but valid UTF-16.
    const text = utf16('a\n😀😀😀😀😀😀\n', true, false);
    expect(() => sniffEncoding(text, true)).toThrow(/looks binary/);
    expect(chooseEncoding(text, true, 'utf-16le')).toEqual({ encoding: 'utf-16le', bomLength: 0 });
    // Still binary when read as the UTF-16 asked for: NUL characters throughout.
    const nuls = new Uint8Array(64);
    expect(() => chooseEncoding(nuls, true, 'utf-16le')).toThrow(/looks binary/);
  });

  it('reads a file of two encodings with the one asked for', () => {
    const mixed = new Uint8Array([...new TextEncoder().encode('name\nJosé\nCaf'), 0xe9, 0x0a]);
    expect(() => chooseEncoding(mixed, true)).toThrow(ImportSniffError);
    expect(chooseEncoding(mixed, true, 'windows-1252')).toEqual({ encoding: 'windows-1252', bomLength: 0 });
  });
  it('takes what was asked when the file agrees, and a retry without question', () => {
    expect(chooseEncoding(utf8Bom, true, 'utf-8')).toEqual({ encoding: 'utf-8', bomLength: 3 });
    expect(chooseEncoding(plain, true, 'windows-1252')).toEqual({ encoding: 'windows-1252', bomLength: 0 });
    expect(chooseEncoding(utf8Bom, true, undefined, 'windows-1252')).toEqual({
      encoding: 'windows-1252',
      bomLength: 3,
    });
  });
});
