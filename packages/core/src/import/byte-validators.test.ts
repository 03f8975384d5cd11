import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createByteValidator, Utf8Validator } from './byte-validators.js';

const validate = (encoding: Parameters<typeof createByteValidator>[0], bytes: number[], start = 0) => {
  const v = createByteValidator(encoding, start);
  return v.push(Uint8Array.from(bytes)) ?? v.finish();
};

describe('Utf8Validator', () => {
  it.each([
    ['a lone continuation byte', [0x61, 0x80], 1],
    ['an overlong form', [0xc0, 0xaf], 0],
    ['a surrogate', [0xed, 0xa0, 0x80], 0],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a sequence cut short by the next character', [0x61, 0xe2, 0x82, 0x61], 1],
    ['a sequence cut by the end', [0x0a, 0xf0, 0x9f, 0x98], 1],
  ])('refuses %s, at the byte where it starts', (_, bytes, at) => {
    expect(validate('utf-8', bytes)?.byteOffset).toBe(at);
  });

  it('counts lines and offsets from its start offset', () => {
    expect(validate('utf-8', [0x61, 0x0d, 0x0a, 0x62, 0x0d, 0xff], 3)).toEqual({ byteOffset: 8, line: 3 });
  });

  it('agrees with a fatal TextDecoder on any bytes, in any chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(), (bytes, cut) => {
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
        } catch {
          valid = false;
        }
        const v = new Utf8Validator(0);
        const at = cut % (bytes.length + 1);
        const invalid = v.push(bytes.subarray(0, at)) ?? v.push(bytes.subarray(at)) ?? v.finish();
        expect(invalid === undefined).toBe(valid);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('Utf16Validator', () => {
  it('refuses an unpaired low surrogate, a lone high one and an odd last byte', () => {
    expect(validate('utf-16le', [0x61, 0, 0x00, 0xdc])?.byteOffset).toBe(2);
    expect(validate('utf-16be', [0xd8, 0x00, 0x00, 0x61])?.byteOffset).toBe(0);
    expect(validate('utf-16le', [0x61, 0, 0x62])?.byteOffset).toBe(2);
  });

  it('accepts a surrogate pair split across chunks', () => {
    const v = createByteValidator('utf-16le');
    expect(v.push(Uint8Array.from([0x3d, 0xd8, 0x00]))).toBeUndefined();
    expect(v.push(Uint8Array.from([0xde]))).toBeUndefined();
    expect(v.finish()).toBeUndefined();
  });
});

describe('Windows1252Validator', () => {
  it('refuses only the five undefined bytes', () => {
    for (const b of [0x81, 0x8d, 0x8f, 0x90, 0x9d])
      expect(validate('windows-1252', [0x0a, b])).toEqual({ byteOffset: 1, line: 2 });
    expect(
      validate(
        'windows-1252',
        Array.from({ length: 256 }, (_, i) => i).filter((b) => ![0x81, 0x8d, 0x8f, 0x90, 0x9d].includes(b)),
      ),
    ).toBeUndefined();
  });
});
