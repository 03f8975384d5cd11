import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A marker that appears nowhere unless this test run put it there. */
export function newCanary(): string {
  return `tvcanary${randomBytes(12).toString('hex')}`;
}

const CITIES = [' Paris', 'paris ', 'PARIS', 'London', 'london', 'Berlin ', 'berlin'];

/**
 * A messy CSV (stray spaces, mixed case, `$1,234.50` amounts, duplicate rows) in which every
 * row carries the canary; built in memory only. About `rows * 90` bytes.
 */
export function canaryCsv(canary: string, rows: number): Buffer {
  const lines = ['id,name,city,amount,note'];
  for (let i = 0; i < rows; i++) {
    const n = i % 997; // some duplicate rows
    lines.push(
      `${n},  Person ${n} ,${CITIES[n % CITIES.length]},"$${(n * 13.37).toFixed(2)}",${canary}-${n}-${randomBytes(6).toString('hex')}`,
    );
  }
  return Buffer.from(lines.join('\n') + '\n');
}

export interface Hit {
  file: string;
}

/**
 * Every regular file under `roots` changed at or after `since` (ms) that contains the canary in
 * any case (steps such as change-case rewrite it). Files older than `since` cannot hold a canary
 * made after it. Returns files with a hit and how many files were read. Unreadable files and
 * files that vanish while walking are counted as skipped.
 */
export function scanForCanary(
  roots: string[],
  canary: string,
  since: number,
): { hits: Hit[]; scanned: number; skipped: number } {
  const needles = [canary, canary.toUpperCase()].map((s) => Buffer.from(s));
  const hits: Hit[] = [];
  let scanned = 0;
  let skipped = 0;
  const seen = new Set<string>();
  const walk = (p: string) => {
    if (seen.has(p)) return;
    seen.add(p);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      skipped++;
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = fs.readdirSync(p);
      } catch {
        skipped++;
        return;
      }
      for (const n of names) walk(path.join(p, n));
      return;
    }
    if (!st.isFile() || Math.max(st.mtimeMs, st.ctimeMs) < since - 2000) return;
    try {
      scanned++;
      if (fileContains(p, needles)) hits.push({ file: p });
    } catch {
      skipped++;
    }
  };
  for (const r of roots) if (fs.existsSync(r)) walk(r);
  return { hits, scanned, skipped };
}

/** Read in chunks (other people's big files may sit in /tmp), overlapping by a needle's length. */
function fileContains(file: string, needles: Buffer[]): boolean {
  const overlap = Math.max(...needles.map((n) => n.length)) - 1;
  const chunk = Buffer.alloc(8 * 2 ** 20 + overlap);
  const fd = fs.openSync(file, 'r');
  try {
    let carried = 0;
    for (;;) {
      const n = fs.readSync(fd, chunk, carried, chunk.length - carried, null);
      if (n === 0) return false;
      const view = chunk.subarray(0, carried + n);
      if (needles.some((needle) => view.includes(needle))) return true;
      carried = Math.min(overlap, view.length);
      view.copyWithin(0, view.length - carried);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Where plaintext could land on this machine: the data folder, cwd, temp folders, RAM disk. */
export const scanRoots = (home: string, cwd: string) => [home, cwd, '/tmp', '/var/tmp', '/dev/shm'];
