#!/usr/bin/env node
// The hand-written DuckDB SQL peer: runs the peers' clean_duckdb.sql in place, exactly as their
// clean_duckdb.mjs does (same placeholder substitution, one statement at a time, same instance
// options), but from inside this repository so '@duckdb/node-api' resolves from its node_modules.
// (Running the peer's .mjs unmodified needs a module-resolution hook, whose loader thread costs
// ~0.1 s per run: see run.mjs --verbatim-peers.)
// Usage: node bench/peers/duckdb-sql.mjs IN.csv OUT.(csv|parquet) [threads]
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const PEERS_DIR = process.env.BENCH_PEERS_DIR ?? '/work/shared/bench';
const [, , IN, OUT, THREADS] = process.argv;
if (!IN || !OUT) {
  console.error('usage: node bench/peers/duckdb-sql.mjs IN.csv OUT.(csv|parquet) [threads]');
  process.exit(2);
}
const parquet = OUT.endsWith('.parquet');
const esc = (p) => p.replace(/'/g, "''");
const sql = fs
  .readFileSync(path.join(PEERS_DIR, 'clean_duckdb.sql'), 'utf8')
  .replaceAll('__IN__', esc(IN))
  .replaceAll('__OUT__', esc(OUT))
  .replaceAll(
    '__FORMAT__',
    parquet ? 'FORMAT parquet, COMPRESSION zstd' : "FORMAT csv, HEADER true, DELIMITER ','",
  )
  .replaceAll('__AMOUNT_EXPR__', parquet ? 'c.amount' : "printf('%.2f', c.amount)")
  .replaceAll('__DATE_EXPR__', parquet ? 'c.date' : "strftime(c.date, '%Y-%m-%d')");

const t0 = performance.now();
const inst = await DuckDBInstance.create(':memory:', THREADS ? { threads: THREADS } : {});
const con = await inst.connect();
const stmts = sql
  .split(/;\s*\n/)
  .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
  .filter(Boolean);
for (const s of stmts) {
  const t = performance.now();
  await con.run(s);
  process.stderr.write(
    `[duckdb] ${((performance.now() - t) / 1000).toFixed(3)}s  ${s.split('\n')[0].slice(0, 60)}\n`,
  );
}
process.stderr.write(`[duckdb] total ${((performance.now() - t0) / 1000).toFixed(3)}s\n`);
