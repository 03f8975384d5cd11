import fs from 'node:fs';
import path from 'node:path';
import { processAlive } from './process-alive.js';

/**
 * Spill files are plaintext (DuckDB cannot encrypt them offline), so they may only go into a
 * folder no one else can read. Returns why `folder` (an absolute path) does not qualify, or
 * undefined when it does.
 */
export function spillFolderProblem(folder: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(folder);
  } catch {
    return 'does not exist';
  }
  if (!st.isDirectory()) return 'is not a folder';
  if ((st.mode & 0o077) !== 0) return 'must be private (chmod 700): others can read it';
  if (typeof process.getuid === 'function' && st.uid !== process.getuid())
    return 'must belong to the user running tidyvault';
  return undefined;
}

/** The file that says which process spills into a folder. */
export const SPILL_CLAIM = '.tidyvault-spill-owner';

/**
 * Take `folder` for this process's spill files. A folder another running process has taken is
 * refused (DuckDB's file names would meet). Spill files left by a process that is gone (killed,
 * crashed: DuckDB removes its own only on a clean close) are deleted first, so no plaintext
 * block outlives the process that wrote it for longer than until the next start. Returns the
 * names it deleted, or a problem.
 */
export function claimSpillFolder(folder: string): { swept: string[] } | { problem: string } {
  const claim = path.join(folder, SPILL_CLAIM);
  const owner = Number(fs.readFileSync(claim, { encoding: 'utf8', flag: 'a+' }).trim());
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner))
    return { problem: `is in use by another process (${owner}): give each server its own` };
  const swept: string[] = [];
  for (const name of fs.readdirSync(folder)) {
    if (!name.startsWith('duckdb_temp')) continue;
    fs.rmSync(path.join(folder, name), { force: true, recursive: true });
    swept.push(name);
  }
  fs.writeFileSync(claim, String(process.pid), { mode: 0o600 });
  return { swept };
}

/** Give the folder back (after DuckDB closed and removed its files). */
export function releaseSpillFolder(folder: string): void {
  const claim = path.join(folder, SPILL_CLAIM);
  try {
    if (fs.readFileSync(claim, 'utf8').trim() === String(process.pid)) fs.rmSync(claim, { force: true });
  } catch {
    // already gone
  }
}
