/* global self, importScripts */
// DuckDB-WASM's worker prints every failed query's error to the console, and DuckDB's errors
// quote the data ("Original Line: …" of a CSV). The caller gets each error anyway, so the
// worker's console is silenced before its script runs; the script's URL comes in the query.
for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) self.console[level] = () => {};
// The worker posts copyFileToBuffer's bytes (each export slice, a read-back import) without a
// transfer list, so the browser copies them once more on the way. They are the worker's own
// fresh copy, never used again there: moved instead of copied. Only a buffer the bytes fill
// whole is moved (never a view into the module's memory, which cannot be moved).
const post = self.postMessage.bind(self);
const ownBuffer = (data) => data instanceof Uint8Array && data.byteLength === data.buffer.byteLength;
self.postMessage = (message, transfer) =>
  post(
    message,
    message?.type === 'FILE_BUFFER' && ownBuffer(message.data) ? [message.data.buffer] : transfer,
  );
importScripts(new URL(self.location.href).searchParams.get('worker'));
