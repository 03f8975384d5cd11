import fs from 'node:fs';
import { createByteValidator, type InvalidBytes, type TextEncodingName } from '@tidyvault/core';

/** Reads a file from `start` and returns where its first bytes invalid in `encoding` are, if any. */
export async function locateInvalidBytes(
  path: string,
  encoding: TextEncodingName,
  start: number,
): Promise<InvalidBytes | undefined> {
  const validator = createByteValidator(encoding, start);
  for await (const chunk of fs.createReadStream(path, { start, highWaterMark: 1 << 20 })) {
    const invalid = validator.push(chunk as Buffer);
    if (invalid) return invalid;
  }
  return validator.finish();
}
