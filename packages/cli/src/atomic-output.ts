import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TidyvaultError } from '@tidyvault/core';

function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

/**
 * A temporary file beside the target, renamed into place only when writing succeeded. Ctrl+C or a
 * kill (SIGINT, SIGTERM, SIGHUP) meanwhile removes it before the process ends.
 */
export class AtomicOutput {
  readonly temp: string;
  private committed = false;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.cleanup();
    process.exit(128 + (SIGNALS[signal as keyof typeof SIGNALS] ?? 0));
  };

  /** @param protect files the output must not be: the input, the recipe */
  constructor(
    readonly target: string,
    protect: { file: string; what: string }[],
  ) {
    for (const p of protect) {
      if (p.file !== '' && sameFile(target, p.file))
        throw new TidyvaultError(
          'EXPORT',
          `the output ${target} is the ${p.what} file; choose another output path`,
          { file: target },
        );
    }
    const dir = path.dirname(path.resolve(target));
    if (!fs.existsSync(dir))
      throw new TidyvaultError('USAGE', `the output folder ${dir} does not exist`, { file: target });
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
      throw new TidyvaultError('USAGE', `the output ${target} is a folder`, { file: target });
    }
    this.temp = path.join(dir, `.${path.basename(target)}.tidyvault-${randomBytes(6).toString('hex')}.tmp`);
    for (const signal of Object.keys(SIGNALS)) process.once(signal, this.onSignal);
  }

  /**
   * The output is readable by its owner only (0600), whatever the format's writer made it, where
   * the file system keeps modes at all (a FAT USB stick refuses the change: written as it allows).
   */
  commit(): void {
    try {
      fs.chmodSync(this.temp, 0o600);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    }
    fs.renameSync(this.temp, this.target);
    this.committed = true;
    this.release();
  }

  /** Remove the temporary file unless it was committed; safe to call twice. */
  cleanup(): void {
    if (!this.committed) fs.rmSync(this.temp, { force: true });
    this.release();
  }

  private release(): void {
    for (const signal of Object.keys(SIGNALS)) process.off(signal, this.onSignal);
  }
}
