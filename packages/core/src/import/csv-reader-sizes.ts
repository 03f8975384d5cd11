/** The longest CSV line (record) either engine reads: DuckDB's `max_line_size`. */
export const CSV_MAX_LINE_BYTES = 16 * 2 ** 20;

/**
 * DuckDB's CSV read buffer (`buffer_size`). Left alone it is 16 times the longest line, 256 MiB
 * here, and DuckDB allocates it whole even for a file of a few bytes: under a memory limit below
 * ~300 MB every CSV failed to load. 32 MiB is DuckDB's own size for its default 2 MB lines.
 */
export const CSV_BUFFER_BYTES = 32 * 2 ** 20;

/** How much of a CSV file's start the engines (and the server's limit scan) sniff: 1 MiB. */
export const CSV_SAMPLE_BYTES = 2 ** 20;
