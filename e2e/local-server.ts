import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const CLI = path.join(import.meta.dirname, '..', 'packages', 'cli', 'dist', 'main.js');

/** `tidyvault serve --local-only` on a free port: the static local build and nothing else. */
export const serveLocalOnly = () => serveWith(['--local-only']);

/** `tidyvault serve <args>` on a free port; resolves with its URL once it says it is serving. */
export async function serveWith(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ origin: string; output: () => string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', ...args, '--port', '0'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 30 s: ${err}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /serving at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${err}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    origin,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
