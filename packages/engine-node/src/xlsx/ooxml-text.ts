/**
 * OOXML strings carry characters XML cannot (controls) and CR (which XML parsers turn into LF)
 * as `_xHHHH_`; a literal `_xHHHH_` is written with its underscore escaped as `_x005F_`.
 */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\r\x0e-\x1f\ufffe\uffff]/g;

export function encodeOoxmlText(s: string): string {
  return s.replace(NEEDS_ESCAPE, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
}

export function decodeOoxmlText(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}
