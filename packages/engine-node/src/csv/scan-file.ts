import fs from 'node:fs';
import {
  createChunkDecoder,
  CsvScanner,
  type CsvScanOptions,
  type CsvScanReport,
  type TextEncodingName,
} from '@tidyvault/core';

export interface ScanFileOptions extends CsvScanOptions {
  encoding: TextEncodingName;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
}

/** Runs CsvScanner over a file as a stream (bytes that do not decode count as U+FFFD). */
export async function scanCsvFile(path: string, o: ScanFileOptions): Promise<CsvScanReport> {
  const decoder = createChunkDecoder(o.encoding, { fatal: false });
  const scanner = new CsvScanner({
    delimiter: o.delimiter,
    quote: o.quote,
    ...(o.expectedFields === undefined ? {} : { expectedFields: o.expectedFields }),
  });
  for await (const chunk of fs.createReadStream(path, { start: o.bomLength, highWaterMark: 1 << 20 })) {
    scanner.push(decoder.decode(chunk as Buffer));
  }
  scanner.push(decoder.end());
  return scanner.finish();
}
