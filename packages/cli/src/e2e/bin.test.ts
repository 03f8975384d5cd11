import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const PACKAGE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const ROOT = path.resolve(PACKAGE, '../..');

describe('the tidyvault command', () => {
  it('points at a committed file, so npm links it on the first install, before the build', () => {
    const bin = (
      JSON.parse(fs.readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')) as {
        bin: Record<string, string>;
      }
    ).bin.tidyvault!;
    expect(bin.startsWith('dist/')).toBe(false);
    const tracked = execFileSync('git', ['ls-files', '--error-unmatch', bin], {
      cwd: PACKAGE,
      encoding: 'utf8',
    });
    expect(tracked.trim()).toBe(bin);
    expect(fs.statSync(path.join(PACKAGE, bin)).mode & 0o111).not.toBe(0);
  });

  it('runs as `npx tidyvault` from the project without asking the registry', () => {
    // --no: npx fails rather than download a package named tidyvault.
    const r = spawnSync('npx', ['--no', '--', 'tidyvault', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/registry|E404|need to install/i);
    expect(r.stdout).toContain('Usage: tidyvault <command> [options]');
  });
});
