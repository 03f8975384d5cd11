const MAGIC = [0x50, 0x41, 0x52, 0x31];

const isMagic = (bytes: Uint8Array, at: number) => MAGIC.every((b, i) => bytes[at + i] === b);

/**
 * What is wrong with a Parquet file's frame (`PAR1`, data, footer, footer length, `PAR1`), given
 * its size, its first 4 bytes and its last 8; checked by both engines before their readers, so
 * the usual damage (not Parquet, cut short) gets the same words in both.
 */
export function parquetFrameProblem(size: number, head: Uint8Array, tail: Uint8Array): string | undefined {
  if (size < 12) return `it is too short (${size} bytes)`;
  if (!isMagic(head, 0)) return 'it does not start with PAR1';
  if (!isMagic(tail, 4))
    return tail[4] === 0x50 && tail[5] === 0x41 && tail[6] === 0x52 && tail[7] === 0x45
      ? 'it is encrypted (PARE), which Tidyvault cannot read'
      : 'it does not end with PAR1 (the file may be cut short)';
  const footer = (tail[0]! | (tail[1]! << 8) | (tail[2]! << 16) | (tail[3]! << 24)) >>> 0;
  if (footer > size - 12)
    return `its footer length (${footer} bytes) is larger than the file (the file may be cut short)`;
  return undefined;
}

/** A reader's message with the path it was given replaced by the name the user knows the file by. */
export const withoutPath = (message: string, path: string, name: string): string =>
  message.split(path).join(name);
