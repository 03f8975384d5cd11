/**
 * Counts bytes as they arrive, and calls `onSlow` once if any `windowMs` passes with fewer than
 * `minBytes`. stop() when the bytes have all arrived (or the work failed).
 */
export class PaceWatch {
  private inWindow = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(o: { windowMs: number; minBytes: number }, onSlow: () => void) {
    this.timer = setInterval(() => {
      if (this.inWindow < o.minBytes) {
        this.stop();
        onSlow();
      }
      this.inWindow = 0;
    }, o.windowMs);
    this.timer.unref();
  }

  add(bytes: number): void {
    this.inWindow += bytes;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
