/** The longest CSV line (record) either engine reads: DuckDB's `max_line_size`. */
export const CSV_MAX_LINE_BYTES = 16 * 2 ** 20;

/**
 * DuckDB's CSV read buffer (`buffer_size`) for a file of `fileBytes`. DuckDB's own size is 16
 * longest lines, 256 MiB here, allocated whole even for a file of 4 bytes, which failed under a
 * memory limit below ~300 MB: a file that fits in one line's 16 MiB gets that. Larger files keep
 * 256 MiB: a buffer of 32 MiB, or of the file's own size, made a server's repeated loads of a
 * 151 MB file up to twice as slow (bench/BENCHMARKS.md, "DuckDB's CSV read buffer").
 */
export function csvBufferBytes(fileBytes: number): number {
  return fileBytes <= CSV_MAX_LINE_BYTES ? CSV_MAX_LINE_BYTES : 16 * CSV_MAX_LINE_BYTES;
}

/** How much of a CSV file's start the engines (and the server's limit scan) sniff: 1 MiB. */
export const CSV_SAMPLE_BYTES = 2 ** 20;
