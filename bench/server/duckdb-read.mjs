// DuckDB's own read of a CSV, the yardstick for the server's upload + load:
// CREATE TABLE t AS SELECT * FROM read_csv(file, all_varchar = true) in a fresh in-memory DuckDB
// with its defaults (all cores). Prints one JSON line: {ms, rows, rssKiB} — ms covers the
// statement only (not the process or instance start), rssKiB is this process's RSS after it.
// Usage: node bench/server/duckdb-read.mjs FILE.csv
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/server/duckdb-read.mjs FILE.csv');
  process.exit(2);
}
const con = await (await DuckDBInstance.create(':memory:')).connect();
const t = performance.now();
await con.run('CREATE TABLE t AS SELECT * FROM read_csv($1, all_varchar = true)', [file]);
const ms = performance.now() - t;
const n = await con.runAndReadAll('SELECT count(*)::INTEGER AS n FROM t');
const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]);
console.log(JSON.stringify({ ms, rows: n.getRowsJson()[0][0], rssKiB }));
