import { describe, expect, it } from 'vitest';
import { createChunkDecoder, decodeSample, TextDecodeError } from './decode-text.js';
import { decodeWindows1252 } from './windows-1252.js';

describe('decodeWindows1252', () => {
  it('maps 0x80–0x9F to the Windows-1252 characters, not Latin-1 controls', () => {
    const all = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
    expect(decodeWindows1252(all)).toBe('€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ');
  });

  it('maps the other bytes to the same code points', () => {
    expect(decodeWindows1252(Uint8Array.from([0x41, 0xa0, 0xe9, 0xff]))).toBe('A\u00a0éÿ');
  });
});

describe('createChunkDecoder', () => {
  it('keeps a UTF-8 character split across chunks', () => {
    const d = createChunkDecoder('utf-8', { fatal: true });
    expect(d.decode(Uint8Array.from([0x61, 0xe2, 0x82])) + d.decode(Uint8Array.from([0xac])) + d.end()).toBe(
      'a€',
    );
  });

  it('keeps a UTF-16 code unit split across chunks', () => {
    const d = createChunkDecoder('utf-16be', { fatal: true });
    expect(
      d.decode(Uint8Array.from([0x00])) +
        d.decode(Uint8Array.from([0x61, 0x20])) +
        d.decode(Uint8Array.from([0xac])) +
        d.end(),
    ).toBe('a€');
  });

  it('throws TextDecodeError on invalid bytes when fatal', () => {
    expect(() => createChunkDecoder('utf-8', { fatal: true }).decode(Uint8Array.from([0xff]))).toThrow(
      TextDecodeError,
    );
    expect(() =>
      createChunkDecoder('windows-1252', { fatal: true }).decode(Uint8Array.from([0x41, 0x8d])),
    ).toThrow(TextDecodeError);
    const cut = createChunkDecoder('utf-8', { fatal: true });
    cut.decode(Uint8Array.from([0xc3]));
    expect(() => cut.end()).toThrow(TextDecodeError);
  });

  it('replaces invalid bytes when not fatal', () => {
    expect(createChunkDecoder('utf-8', { fatal: false }).decode(Uint8Array.from([0x61, 0xff, 0x62]))).toBe(
      'a\uFFFDb',
    );
  });
});

describe('decodeSample', () => {
  it('skips the byte-order mark', () => {
    expect(
      decodeSample(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]), { encoding: 'utf-8', bomLength: 3 }, true),
    ).toBe('a');
  });

  it('leaves out a character cut by the end of a partial sample', () => {
    const sample = Uint8Array.from([0x61, 0xe2, 0x82]);
    expect(decodeSample(sample, { encoding: 'utf-8', bomLength: 0 }, false)).toBe('a');
    expect(decodeSample(sample, { encoding: 'utf-8', bomLength: 0 }, true)).toBe('a\uFFFD');
  });
});
