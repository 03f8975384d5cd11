#!/usr/bin/env node
// The floor: DuckDB reads the CSV (all VARCHAR, the workload's reader options) and writes it back
// as CSV with no transforms: the peers' floor_duckdb.mjs in `copy` mode, run from inside this
// repository so '@duckdb/node-api' resolves from its node_modules.
// Usage: node bench/peers/floor.mjs IN.csv OUT.csv
import { DuckDBInstance } from '@duckdb/node-api';

const [, , IN, OUT] = process.argv;
if (!IN || !OUT) {
  console.error('usage: node bench/peers/floor.mjs IN.csv OUT.csv');
  process.exit(2);
}
const esc = (p) => p.replace(/'/g, "''");
const src = `read_csv('${esc(IN)}', header = true, delim = ',', quote = '"', escape = '"', new_line = '\\n', all_varchar = true)`;
const con = await (await DuckDBInstance.create(':memory:')).connect();
await con.run('SET preserve_insertion_order = false');
const t = performance.now();
await con.run(`COPY (SELECT * FROM ${src}) TO '${esc(OUT)}' (FORMAT csv, HEADER true)`);
process.stderr.write(`[floor] copy ${((performance.now() - t) / 1000).toFixed(3)}s\n`);
