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

/** A temporary file beside the target, renamed into place only when writing succeeded. */
export class AtomicOutput {
  readonly temp: string;
  private committed = false;

  constructor(
    readonly target: string,
    input: string,
  ) {
    if (sameFile(target, input)) {
      throw new TidyvaultError(
        'EXPORT',
        `the output ${target} is the input file; choose another output path`,
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
  }

  commit(): void {
    fs.renameSync(this.temp, this.target);
    this.committed = true;
  }

  /** Remove the temporary file unless it was committed; safe to call twice. */
  cleanup(): void {
    if (!this.committed) fs.rmSync(this.temp, { force: true });
  }
}
