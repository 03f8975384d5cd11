import { Utf8Validator, type InvalidBytes } from './byte-validators.js';
import { byteNumber, ImportSniffError } from './errors.js';

/** Where a file stops being UTF-8, and whether it held UTF-8 text (multi-byte characters) before. */
export interface Utf8Break {
  invalid: InvalidBytes | undefined;
  multiByteBefore: boolean;
}

/** Reads `chunks` (the file after any byte-order mark) until the first byte that is not UTF-8. */
export async function findUtf8Break(chunks: AsyncIterable<Uint8Array>, startOffset = 0): Promise<Utf8Break> {
  const utf8 = new Utf8Validator(startOffset);
  let invalid: InvalidBytes | undefined;
  for await (const chunk of chunks) {
    invalid = utf8.push(chunk);
    if (invalid) break;
  }
  invalid ??= utf8.finish();
  return { invalid, multiByteBefore: utf8.multiByteSequences > 0 };
}

/**
 * A file that is UTF-8 until some byte, with multi-byte characters before it: read as
 * Windows-1252 instead, its UTF-8 text would turn into other characters ("Zoë" → "ZoÃ«").
 */
export function mixedEncodingError(at: InvalidBytes): ImportSniffError {
  return new ImportSniffError(
    'ENCODING',
    `line ${at.line}: bytes that are not valid UTF-8 (byte ${byteNumber(at.byteOffset)}), in a file that holds UTF-8 text before them; it mixes encodings, and reading it as Windows-1252 would change that text: convert it to one encoding, or choose the encoding to read it with`,
    at,
  );
}
