import fs from 'node:fs';

/**
 * True when the file holds an odd number of quote bytes: some quoted field is never closed.
 * DuckDB's reader accepts a quote left open at the end of the file (the field runs to EOF),
 * so this cheap memchr pass catches it. The quote must be an ASCII character (the file is UTF-8).
 */
export async function hasOddQuoteCount(path: string, quote: string): Promise<boolean> {
  const byte = quote.charCodeAt(0);
  let odd = false;
  for await (const chunk of fs.createReadStream(path, { highWaterMark: 4 << 20 })) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(byte); i !== -1; i = buf.indexOf(byte, i + 1)) odd = !odd;
  }
  return odd;
}
