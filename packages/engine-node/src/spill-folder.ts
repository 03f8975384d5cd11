import fs from 'node:fs';

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
