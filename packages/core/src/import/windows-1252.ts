/** What Windows-1252 bytes 0x80–0x9F mean; the undefined five map to themselves. */
const C1_TABLE =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

const C1_CHARS = /[\u0080-\u009f]/g;

/**
 * Decodes Windows-1252 bytes. The platform decoder is only trusted for bytes outside 0x80–0x9F:
 * Node 20's non-streaming `TextDecoder('windows-1252')` decodes as Latin-1 (0x80 → U+0080, not €).
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  return new TextDecoder('windows-1252')
    .decode(bytes)
    .replace(C1_CHARS, (c) => C1_TABLE[c.charCodeAt(0) - 0x80]!);
}
