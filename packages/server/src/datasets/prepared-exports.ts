import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

/** How long a prepared export waits for its download before it is deleted. */
export const EXPORT_HOLD_MS = 60_000;

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
 * which a plain download link cannot show. One per user; each goes when it is downloaded, after
 * `holdMs`, or with its dataset.
 */
export class PreparedExports {
  private readonly held = new Map<string, { entry: PreparedExport; timer: NodeJS.Timeout }>();

  constructor(private readonly holdMs = EXPORT_HOLD_MS) {}

  /** Keep `file` for `user` (replacing an export of theirs still waiting); the caller gives up the file. */
  hold(user: string, file: string, format: string): PreparedExport {
    for (const [ticket, h] of this.held) if (h.entry.user === user) this.drop(ticket);
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
