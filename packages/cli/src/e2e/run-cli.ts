import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CLI = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../dist/main.js');
export const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../fixtures');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function tidyvault(
  args: string[],
  options: { cwd?: string; input?: string; env?: Record<string, string> } = {},
): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, TIDYVAULT_DEBUG: '', ...options.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh private folder per test file. */
export function workdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-cli-test-'));
}

export function write(dir: string, name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}
