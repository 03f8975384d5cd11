/** Whether a DuckDB error message says the engine ran out of memory (not a problem with the data). */
export const isOutOfMemory = (message: string): boolean => /out of memory|memory limit/i.test(message);
