/** One change to a file the server audits but does not write itself. */
export interface WatchedChange {
  action: string;
  /** The account or secret it concerns; null for the whole file (a key rotation). */
  target: string | null;
}

/**
 * A file the CLI edits while the server runs (users.json, secrets.json): `check` compares what
 * it reads now with what it read last and reports each change once. Several changes between
 * two looks are reported by their net effect; the first reading is the baseline, so changes
 * made while the server was stopped are not reported; a reading that fails is skipped (an
 * unreadable file is not "everything removed") and the next good one is compared.
 */
export class ChangeWatch<T> {
  private last: T | undefined;

  constructor(
    private readonly read: () => T,
    private readonly diff: (before: T, after: T) => WatchedChange[],
    private readonly report: (change: WatchedChange) => void,
  ) {
    this.last = this.tryRead();
  }

  check(): void {
    const now = this.tryRead();
    if (now === undefined) return;
    if (this.last !== undefined) for (const c of this.diff(this.last, now)) this.report(c);
    this.last = now;
  }

  private tryRead(): T | undefined {
    try {
      return this.read();
    } catch {
      return undefined;
    }
  }
}
