/** How a long computation reports progress and can be stopped. */
export interface LongWorkOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Work between two yields to the event loop (so that an abort or a UI update can get in). */
const SLICE_MS = 25;

/**
 * For a long loop over `total` items: `await tick(done)` costs a clock read, except about every
 * 25 ms, when it reports progress, yields to the event loop and throws if the signal fired.
 */
export function cooperativeTicker(
  total: number,
  { signal, onProgress }: LongWorkOptions,
): (done: number) => Promise<void> {
  let clock = performance.now();
  return async (done) => {
    if (performance.now() - clock < SLICE_MS) return;
    onProgress?.(done, total);
    await new Promise((resolve) => setTimeout(resolve, 0));
    signal?.throwIfAborted();
    clock = performance.now();
  };
}
