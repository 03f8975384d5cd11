import { WINDOWS_1252_UNDEFINED, type TextEncodingName } from './text-encoding.js';
import { decodeWindows1252 } from './windows-1252.js';

/** Decodes a byte stream chunk by chunk; a character split across chunks is kept for the next one. */
export interface ChunkDecoder {
  decode(bytes: Uint8Array): string;
  /** The end of the stream: with `fatal`, throws when the bytes stop inside a character. */
  end(): string;
}

export class TextDecodeError extends Error {
  constructor(encoding: TextEncodingName) {
    super(`the bytes are not valid ${encoding}`);
    this.name = 'TextDecodeError';
  }
}

function firstUndefined1252(bytes: Uint8Array): number {
  let first = -1;
  for (const b of WINDOWS_1252_UNDEFINED) {
    const i = bytes.indexOf(b);
    if (i >= 0 && (first < 0 || i < first)) first = i;
  }
  return first;
}

/** `fatal`: invalid bytes throw a TextDecodeError (for Windows-1252: its five undefined bytes). */
export function createChunkDecoder(encoding: TextEncodingName, { fatal }: { fatal: boolean }): ChunkDecoder {
  if (encoding === 'windows-1252') {
    return {
      decode(bytes) {
        if (fatal && firstUndefined1252(bytes) >= 0) throw new TextDecodeError(encoding);
        return decodeWindows1252(bytes);
      },
      end: () => '',
    };
  }
  const decoder = new TextDecoder(encoding, { fatal });
  const guard = (run: () => string): string => {
    try {
      return run();
    } catch (e) {
      if (e instanceof TypeError) throw new TextDecodeError(encoding);
      throw e;
    }
  };
  return {
    decode: (bytes) => guard(() => decoder.decode(bytes, { stream: true })),
    end: () => guard(() => decoder.decode()),
  };
}

/**
 * The text of a sample read from the start of a file, without its byte-order mark. When the sample is
 * not the whole file, a character cut at its end is left out. Invalid bytes become U+FFFD.
 */
export function decodeSample(
  sample: Uint8Array,
  { encoding, bomLength }: { encoding: TextEncodingName; bomLength: number },
  isWholeFile: boolean,
): string {
  const decoder = createChunkDecoder(encoding, { fatal: false });
  const text = decoder.decode(sample.subarray(bomLength));
  return isWholeFile ? text + decoder.end() : text;
}
