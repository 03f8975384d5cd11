import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

/** How long a prepared export waits for its download before it is deleted. */
export const EXPORT_HOLD_MS = 60_000;
/** Exports one user may have waiting on one dataset (two tabs, a second click): the oldest goes. */
const PER_USER = 3;

export interface PreparedExport {
  readonly ticket: string;
  /** Who prepared it: no one else may download it. */
  readonly user: string;
  /** The built file, in the engine's private staging folder. */
  readonly file: string;
  readonly format: string;
  readonly bytes: number;
  readonly until: number;
}

/**
 * A dataset's exports built and waiting to be downloaded once (POST …/exports, then GET
 * …/exports/:ticket): the web workbench sees an export's error before it starts a download,
 * which a plain download link cannot show. A few per user; each goes when it is downloaded, after
 * `holdMs`, when its user's share ends, or with its dataset (after which nothing more is held).
 */
export class PreparedExports {
  private readonly held = new Map<string, { entry: PreparedExport; timer: NodeJS.Timeout }>();
  private disposed = false;

  constructor(private readonly holdMs = EXPORT_HOLD_MS) {}

  /**
   * Keep `file` for `user` (the oldest of theirs goes beyond a few); the caller gives up the file.
   * undefined, the file deleted, once the dataset is purged: a build that ended after it keeps nothing.
   */
  hold(user: string, file: string, format: string): PreparedExport | undefined {
    if (this.disposed) {
      fs.rmSync(file, { force: true });
      return undefined;
    }
    const theirs = [...this.held.values()].filter((h) => h.entry.user === user);
    for (const h of theirs.slice(0, Math.max(0, theirs.length - PER_USER + 1))) this.drop(h.entry.ticket);
    const entry: PreparedExport = {
      ticket: randomBytes(32).toString('base64url'),
      user,
      file,
      format,
      bytes: fs.statSync(file).size,
      until: Date.now() + this.holdMs,
    };
    const timer = setTimeout(() => this.drop(entry.ticket), this.holdMs);
    timer.unref();
    this.held.set(entry.ticket, { entry, timer });
    return entry;
  }

  /** Delete what `user` has waiting (their share of the dataset ended). */
  dropUser(user: string): void {
    for (const [ticket, h] of [...this.held]) if (h.entry.user === user) this.drop(ticket);
  }

  /** The export `ticket` names if `user` prepared it, now no longer held: the caller streams and removes its file. */
  take(ticket: string, user: string): PreparedExport | undefined {
    const h = this.held.get(ticket);
    if (!h || h.entry.user !== user) return undefined;
    clearTimeout(h.timer);
    this.held.delete(ticket);
    return h.entry;
  }

  /** What waits, for GET /location. */
  list(): readonly PreparedExport[] {
    return [...this.held.values()].map((h) => h.entry);
  }

  dispose(): void {
    this.disposed = true;
    for (const ticket of [...this.held.keys()]) this.drop(ticket);
  }

  private drop(ticket: string): void {
    const h = this.held.get(ticket);
    if (!h) return;
    clearTimeout(h.timer);
    this.held.delete(ticket);
    fs.rmSync(h.entry.file, { force: true });
  }
}
