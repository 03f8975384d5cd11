import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import {
  createChunkDecoder,
  ImportSniffError,
  NewlineNormalizer,
  TextDecodeError,
  undecodableBytesError,
  type TextEncodingName,
} from '@tidyvault/core';
import { locateInvalidBytes } from './locate-invalid-bytes.js';

export interface TranscodeOptions {
  encoding: TextEncodingName;
  /** Bytes of byte-order mark at the start of the input, left out of the output. */
  bomLength: number;
  /** Rewrite CRLF and lone-CR record terminators outside quoted fields to LF. */
  normalizeNewlines?: boolean;
  /** For normalizeNewlines: the file's delimiter (default: a quote opens a field after any of , TAB ; |). */
  delimiter?: string;
  /** For normalizeNewlines: the quote character (default '"'; null: no quoting). */
  quote?: string | null;
}

const CHUNK_BYTES = 1 << 20;

async function invalidBytesError(path: string, o: TranscodeOptions, near: number): Promise<ImportSniffError> {
  return undecodableBytesError(o.encoding, await locateInvalidBytes(path, o.encoding, o.bomLength), near);
}

/**
 * Writes `inputPath` as UTF-8 without a byte-order mark to `outputPath`, which must not exist (it is
 * created with mode 0600). Invalid input bytes throw an ImportSniffError (code ENCODING) naming the
 * byte offset and line; on any failure the partial output is removed.
 */
export async function transcodeToUtf8(
  inputPath: string,
  outputPath: string,
  o: TranscodeOptions,
): Promise<void> {
  const output = await fs.promises.open(outputPath, 'wx', 0o600);
  let done = false;
  try {
    const decoder = createChunkDecoder(o.encoding, { fatal: true });
    const normalizer = o.normalizeNewlines
      ? new NewlineNormalizer({
          ...(o.delimiter === undefined ? {} : { delimiter: o.delimiter }),
          quote: o.quote === undefined ? '"' : o.quote,
        })
      : undefined;
    let offset = o.bomLength;
    const decode = async (step: () => string): Promise<string> => {
      try {
        const text = step();
        return normalizer ? normalizer.push(text) : text;
      } catch (e) {
        if (e instanceof TextDecodeError) throw await invalidBytesError(inputPath, o, offset);
        throw e;
      }
    };
    await pipeline(
      fs.createReadStream(inputPath, { start: o.bomLength, highWaterMark: CHUNK_BYTES }),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          const text = await decode(() => decoder.decode(chunk));
          offset += chunk.length;
          if (text.length > 0) yield text;
        }
        const rest = await decode(() => decoder.end());
        if (rest.length > 0) yield rest;
      },
      output.createWriteStream(),
    );
    done = true;
  } finally {
    if (!done) {
      await output.close().catch(() => undefined);
      await fs.promises.rm(outputPath, { force: true });
    }
  }
}
