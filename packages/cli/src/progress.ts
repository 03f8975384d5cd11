/** A one-line progress bar on a terminal's stderr; silent when not a TTY or when quiet. */
export class ProgressBar {
  private last = -1;
  private shown = false;
  constructor(
    private readonly label: string,
    private readonly enabled = process.stderr.isTTY === true,
  ) {}

  /** The engine's progress callback, or undefined when nothing is shown (progress tracking costs time). */
  get listener(): ((percent: number) => void) | undefined {
    return this.enabled ? this.update : undefined;
  }

  update = (percent: number): void => {
    if (!this.enabled) return;
    const p = Math.max(0, Math.min(100, Math.floor(percent)));
    if (p === this.last) return;
    this.last = p;
    this.shown = true;
    const width = 30;
    const filled = Math.round((p / 100) * width);
    process.stderr.write(
      `\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(p).padStart(3)}%`,
    );
  };

  done(): void {
    if (this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}
