import { describe, expect, it } from 'vitest';
import { contentDisposition } from './routes.js';

describe('the download name of an export (RFC 6266)', () => {
  it('cannot break the header: no quote, semicolon, CR or LF in the fallback; only attr-chars in filename*', () => {
    const header = contentDisposition(`a";\r\nSet-Cookie: x=1 (copy)*'é.csv`, 'csv');
    expect(header).not.toMatch(/[\r\n]/);
    const [, fallback, encoded] = /^attachment; filename="([^"]*)"; filename\*=UTF-8''(.*)$/.exec(header)!;
    expect(fallback).toBe(`a____Set-Cookie: x=1 (copy)*'_-clean.csv`);
    // RFC 5987 attr-char: ALPHA DIGIT ! # $ & + - . ^ _ ` | ~, and %XX.
    expect(encoded).toMatch(/^(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})+$/);
    expect(decodeURIComponent(encoded!)).toBe(`a";\r\nSet-Cookie: x=1 (copy)*'é-clean.csv`);
  });
});
