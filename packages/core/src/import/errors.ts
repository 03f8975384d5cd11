import { ENCODING_LABELS, type TextEncodingName } from './text-encoding.js';

export type ImportSniffCode = 'EMPTY' | 'BINARY' | 'ENCODING';

export interface ImportSniffLocation {
  /** 1-based physical line (LF, CRLF and lone CR each end one). */
  line?: number;
  /** 0-based offset from the first byte of the file (a byte-order mark included). */
  byteOffset?: number;
}

/** The bytes cannot be read as CSV text; the message is complete and never quotes file content. */
export class ImportSniffError extends Error {
  readonly code: ImportSniffCode;
  readonly line?: number;
  readonly byteOffset?: number;
  constructor(code: ImportSniffCode, message: string, location: ImportSniffLocation = {}) {
    super(message);
    this.name = 'ImportSniffError';
    this.code = code;
    if (location.line !== undefined) this.line = location.line;
    if (location.byteOffset !== undefined) this.byteOffset = location.byteOffset;
  }
}

/** A byte's number in messages: counted from 1, as `cmp` does and the JSON readers' messages do. */
export const byteNumber = (byteOffset: number): number => byteOffset + 1;

/**
 * Bytes the file's encoding cannot hold, found while reading past the sniffed sample: where the
 * validator found them, or (had it found none) near the offset the decoder stopped at.
 */
export function undecodableBytesError(
  encoding: TextEncodingName,
  at: { byteOffset: number; line: number } | undefined,
  near: number,
): ImportSniffError {
  const label = ENCODING_LABELS[encoding];
  const what =
    encoding === 'windows-1252' ? `bytes that ${label} does not define` : `bytes that are not valid ${label}`;
  if (!at)
    return new ImportSniffError('ENCODING', `${what} near byte ${byteNumber(near)}`, { byteOffset: near });
  return new ImportSniffError(
    'ENCODING',
    `${what} at byte ${byteNumber(at.byteOffset)} (line ${at.line})`,
    at,
  );
}
