/** OOXML strings carry characters XML cannot (controls) and CR as `_xHHHH_` (core's writer encodes them). */
export function decodeOoxmlText(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
