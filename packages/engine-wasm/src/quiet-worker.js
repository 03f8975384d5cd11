/* global self, importScripts */
// DuckDB-WASM's worker prints every failed query's error to the console, and DuckDB's errors
// quote the data ("Original Line: …" of a CSV). The caller gets each error anyway, so the
// worker's console is silenced before its script runs; the script's URL comes in the query.
for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) self.console[level] = () => {};
importScripts(new URL(self.location.href).searchParams.get('worker'));
