import { createRequire } from 'node:module';
import type * as Api from '@duckdb/node-api';

// @duckdb/node-api is CommonJS. Imported from ESM, Node scans all of its modules for named
// exports before running any (~60 ms at every CLI start); require() skips that scan.
const require = createRequire(import.meta.url);
const api = require('@duckdb/node-api') as typeof Api;

// node-api reads every VARCHAR through one shared TextDecoder, which drops a leading U+FEFF: the
// value's own first character ('\uFEFFw' came back 'w'; DuckDB's own writers keep it). It looks
// the decoder up at each call, so one that keeps it is put in its place (golden case
// change-case-leading-bom fails if this stops working).
const accessors = require('@duckdb/node-api/lib/vectors/dataAccessors.js') as {
  textDecoder: { decode(bytes: Uint8Array): string };
};
accessors.textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

export const { DuckDBInstance, DuckDBDataChunk, DuckDBDateValue, DuckDBTimestampValue, VARCHAR } = api;
export type DuckDBInstance = Api.DuckDBInstance;
