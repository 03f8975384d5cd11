import fs from 'node:fs';

/** One change to a file the server audits but does not write itself. */
export interface WatchedChange {
  action: string;
  /** The account or secret it concerns; null for the whole file (a key rotation). */
  target: string | null;
}

/**
 * A file the CLI edits while the server runs (users.json, secrets.json): `check` compares what
 * it reads now with what it read last and reports each change once. It is called on every
 * request, so it reads the file only when its identity changed (both files are replaced
 * atomically: a change is a new inode). Several changes between two looks are reported by their
 * net effect; the first reading is the baseline, so changes made while the server was stopped
 * are not reported; a reading that fails (no file, an unreadable one) is skipped, not taken as
 * "everything removed", and the next good one is compared.
 */
export class ChangeWatch<T> {
  private last: T | undefined;
  private version: string | undefined;

  constructor(
    private readonly file: string,
    private readonly read: () => T,
    private readonly diff: (before: T, after: T) => WatchedChange[],
    private readonly report: (change: WatchedChange) => void,
  ) {
    this.check();
  }

  check(): void {
    const version = versionOf(this.file);
    if (version === undefined || version === this.version) return;
    let now: T;
    try {
      now = this.read();
    } catch {
      return;
    }
    if (this.last !== undefined) for (const c of this.diff(this.last, now)) this.report(c);
    this.last = now;
    this.version = version;
  }
}

function versionOf(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch {
    return undefined;
  }
}
