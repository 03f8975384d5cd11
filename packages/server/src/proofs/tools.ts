import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The built CLI the proofs run (the same file `npm start` runs); `npm test` builds it first. */
export const CLI = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../cli/dist/main.js');

/** These proofs read /proc and /dev/shm and trace syscalls: they are Linux-only by nature. */
export const onLinux = process.platform === 'linux';

const HINTS: Record<string, string> = {
  strace: 'apt-get install -y strace',
  unshare: 'apt-get install -y util-linux',
  ip: 'apt-get install -y iproute2',
};

export function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Throw (never skip) when a tool a proof depends on is missing, naming the package to install. */
export function requireTools(...names: string[]): void {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npx tsc -b packages/cli first`);
  for (const name of names) {
    if (!which(name)) {
      throw new Error(
        `this proof needs \`${name}\` on PATH (Debian: ${HINTS[name] ?? name}); refusing to skip`,
      );
    }
  }
  if (names.includes('strace')) {
    const r = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '--', 'true'], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`\`strace true\` failed (is ptrace allowed here?): ${r.stderr.trim()}`);
    }
  }
  if (names.includes('unshare')) {
    const r = spawnSync('unshare', ['-rn', 'true'], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(
        `\`unshare -rn true\` failed (user+network namespaces unavailable here): ${r.stderr.trim()}`,
      );
    }
  }
}

/**
 * Shell words that bring up loopback inside a fresh network namespace: `ip` when installed,
 * otherwise the same SIOCSIFFLAGS ioctl from python3 (a new namespace has `lo` down).
 */
export function loopbackUpCommand(): string {
  if (which('ip')) return 'ip link set lo up';
  if (which('python3')) {
    const py = [
      'import socket, fcntl, struct',
      's = socket.socket()',
      "flags = struct.unpack('16sH', fcntl.ioctl(s, 0x8913, struct.pack('16sH', b'lo', 0)))[1]",
      "fcntl.ioctl(s, 0x8914, struct.pack('16sH', b'lo', flags | 1))",
    ].join('; ');
    return `python3 -c "${py}"`;
  }
  throw new Error(
    'bringing up loopback in the namespace needs `ip` (apt-get install -y iproute2) or python3',
  );
}

/** A fresh private folder for one proof; the caller removes it. */
export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tidyvault-proof-${label}-`));
}

/** Staging folders that belong to `pid` (the engine names them tidyvault-staging-<pid>-<random>). */
export function stagingDirsOf(pid: number, root = '/dev/shm'): string[] {
  return fs
    .readdirSync(root)
    .filter((n) => n.startsWith(`tidyvault-staging-${pid}-`))
    .map((n) => path.join(root, n));
}

/** Every file under the staging folders of `pid`. */
export function stagingFilesOf(pid: number, root = '/dev/shm'): { file: string; size: number }[] {
  const out: { file: string; size: number }[] = [];
  for (const dir of stagingDirsOf(pid, root)) {
    for (const name of fs.readdirSync(dir)) {
      try {
        out.push({ file: path.join(dir, name), size: fs.statSync(path.join(dir, name)).size });
      } catch {
        // unlinked between readdir and stat
      }
    }
  }
  return out;
}

/** Resident set size of a live process, in bytes (VmRSS from /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll until `check` returns true or `ms` pass; returns the last result (the caller asserts on state). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  ms: number,
  step = 50,
): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await sleep(step);
  }
}
