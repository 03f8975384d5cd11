import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through, and calls `onSlow` once if any `windowMs` passes with fewer than
 * `minBytes` through it. stop() when the stream has ended (or failed).
 */
export class PaceWatch extends Transform {
  private inWindow = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(o: { windowMs: number; minBytes: number }, onSlow: () => void) {
    super();
    this.timer = setInterval(() => {
      if (this.inWindow < o.minBytes) {
        this.stop();
        onSlow();
      }
      this.inWindow = 0;
    }, o.windowMs);
    this.timer.unref();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.inWindow += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.stop();
    done();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
