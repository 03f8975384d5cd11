#!/usr/bin/env node
// Print equivalence checksums of output CSVs (number-format tolerant; see lib/canon.mjs).
// Usage: node bench/canon.mjs OUT.csv [OUT2.csv ...]
// Files are equivalent when rows and canonical agree; ordered also agreeing means the same rows
// in the same order; raw agreeing means byte-identical.
import { csvDigest } from './lib/canon.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bench/canon.mjs OUT.csv [OUT2.csv ...]');
  process.exit(2);
}
const seen = new Set();
for (const f of files) {
  const d = await csvDigest(f);
  seen.add(`${d.rows} ${d.canonical}`);
  console.log(`${f}\trows=${d.rows}\traw=${d.raw}\tcanonical=${d.canonical}\tordered=${d.ordered}`);
}
if (files.length > 1) {
  console.log(seen.size === 1 ? 'all equivalent' : 'NOT equivalent');
  process.exitCode = seen.size === 1 ? 0 : 1;
}
