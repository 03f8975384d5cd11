import { createRequire } from 'node:module';
import type * as Api from '@duckdb/node-api';

// @duckdb/node-api is CommonJS. Imported from ESM, Node scans all of its modules for named
// exports before running any (~60 ms at every CLI start); require() skips that scan.
const api = createRequire(import.meta.url)('@duckdb/node-api') as typeof Api;

export const { DuckDBInstance, DuckDBDataChunk, DuckDBDateValue, DuckDBTimestampValue, VARCHAR } = api;
export type DuckDBInstance = Api.DuckDBInstance;
