import { TidyvaultError } from '@tidyvault/core';

/**
 * Messages of a DuckDB-WASM that has stopped working: a fatal or internal DuckDB error, a C++
 * exception from its runtime (seen after running out of memory: "unique_lock::unlock: not
 * locked"), or a WebAssembly trap. Later statements fail too; only a fresh engine helps.
 */
const FATAL = /^(FATAL|INTERNAL) Error|database has been invalidated/im;
const RUNTIME = [
  /unique_lock|std::|bad_alloc|mutex/i,
  /^RuntimeError: (unreachable|memory access out of bounds|table index is out of bounds)/,
  /^Aborted\(/,
];
/** "Conversion Error: …": DuckDB reporting on the data (which it may quote), not failing. */
const DUCKDB_ERROR = /^[A-Z][A-Za-z ]* Error: /;

export const isEngineBroken = (message: string): boolean =>
  FATAL.test(message) || (!DUCKDB_ERROR.test(message) && RUNTIME.some((p) => p.test(message)));

/** The error a user sees when the engine in the tab has failed: what happened and what to do. */
export function engineFailure(message: string, doing: string): TidyvaultError {
  const first = message.split('\n', 1)[0]!.slice(0, 200);
  return new TidyvaultError(
    'EXECUTION',
    `${doing}: DuckDB-WASM in this tab stopped working (${first}), often after running out of memory; reload the tab to start it again. The file on your device is unchanged and nothing was sent anywhere; for a file this large, use the CLI (tidyvault clean) or a Tidyvault server.`,
  );
}
