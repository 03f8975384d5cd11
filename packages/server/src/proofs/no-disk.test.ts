import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryCsv, newCanary, scanForCanary, scanRoots } from './canary.js';
import { fullFlow } from './flow.js';
import { startServer } from './server-process.js';
import { FILE_SYSCALLS, fileWrites, within, type FileWrite } from './strace.js';
import { onLinux, requireTools, stagingDirsOf, tempDir } from './tools.js';

/** The audit log (SQLite in WAL mode: the database, its write-ahead log and shared-memory index). */
const AUDIT_FILES = ['audit.db', 'audit.db-wal', 'audit.db-shm', 'audit.db-journal'];

/**
 * What the server may create or open for writing, and why:
 * - $TIDYVAULT_HOME itself and its server.key (the instance secret, made on first run);
 * - the audit log in $TIDYVAULT_HOME (dataset ids, user names, actions, route patterns,
 *   statuses: the scan below proves no cell value reaches it; audit/record.test.ts proves the
 *   same for file names, column names and tokens);
 * - its own 0700 staging folder on RAM-backed /dev/shm (tidyvault-staging-<its pid>-<random>),
 *   where uploads and exports pass through and are unlinked at once;
 * - /dev/null and the process's own /proc entries (not storage).
 */
function allowed(w: FileWrite, o: { home: string; pid: number }): boolean {
  if (w.path === o.home || w.path === path.join(o.home, 'server.key')) return true;
  if (AUDIT_FILES.some((f) => w.path === path.join(o.home, f))) return true;
  const staging = /^\/dev\/shm\/tidyvault-staging-(\d+)-[0-9a-f]+(\/|$)/.exec(w.path);
  if (staging && Number(staging[1]) === o.pid) return true;
  if (w.path === '/dev/null') return true;
  return within(w.path, '/proc/self') || within(w.path, `/proc/${o.pid}`);
}

/**
 * Issue 3, item 6 (b): a canary dataset uploaded and processed through the whole flow under
 * `strace -f` on every call that creates, opens for writing, renames or links a file: nothing
 * outside the allow-list; afterwards the canary is nowhere on disk.
 */
describe.runIf(onLinux)('proof (b): no disk', () => {
  let dir: string;
  let syscalls: string;
  beforeAll(() => {
    requireTools('strace');
    dir = tempDir('nodisk');
    // `?name`: a call this architecture lacks (open, mkdir… on arm64) is skipped, not an error.
    syscalls = FILE_SYSCALLS.split(',')
      .map((s) => `?${s}`)
      .join(',');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates or writes no file outside the allow-list, and leaves no byte of the canary on disk', async () => {
    const started = Date.now();
    const home = path.join(dir, 'home');
    const cwd = path.join(dir, 'cwd');
    fs.mkdirSync(cwd);
    const trace = path.join(dir, 'server.trace');
    const server = await startServer({ home, cwd, strace: { output: trace, syscalls } });
    const canary = newCanary();
    let flow;
    try {
      flow = await fullFlow(server, canary);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(flow.canarySeen).toEqual({ rows: true, csv: true, json: true });

    const writes = fileWrites(fs.readFileSync(trace, 'utf8'), cwd);
    // The trace saw the writes that must happen: the upload and exports through staging.
    const staged = writes.filter((w) => w.path.startsWith(`/dev/shm/tidyvault-staging-${server.pid}-`));
    expect(staged.length).toBeGreaterThanOrEqual(7); // folder + upload + 6 exports (at least)
    expect(
      writes.filter((w) => !allowed(w, { home, pid: server.pid })),
      'files created or opened for writing outside the allow-list',
    ).toEqual([]);
    // The staging folder went away with the server.
    expect(stagingDirsOf(server.pid)).toEqual([]);

    const scan = scanForCanary(scanRoots(home, cwd), canary, started);
    expect(scan.scanned).toBeGreaterThan(0);
    expect(scan.hits, 'files holding the canary').toEqual([]);
  });

  it('positive control: the same checks flag a process that writes the canary to its cwd', () => {
    const started = Date.now();
    const cwd = path.join(dir, 'control');
    fs.mkdirSync(cwd);
    const trace = path.join(dir, 'control.trace');
    const canary = newCanary();
    const r = spawnSync(
      'strace',
      [
        '-f',
        '-qq',
        '-yy',
        '-s',
        '0',
        '-o',
        trace,
        '-e',
        `trace=${syscalls}`,
        process.execPath,
        '-e',
        "require('node:fs').writeFileSync('leak.csv', require('node:fs').readFileSync(0))",
      ],
      { cwd, input: canaryCsv(canary, 10), timeout: 20_000 },
    );
    expect(r.status).toBe(0);
    const writes = fileWrites(fs.readFileSync(trace, 'utf8'), cwd);
    expect(writes.filter((w) => !allowed(w, { home: path.join(dir, 'nohome'), pid: r.pid! }))).toContainEqual(
      expect.objectContaining({ path: path.join(cwd, 'leak.csv') }),
    );
    expect(scanForCanary(scanRoots(path.join(dir, 'nohome'), cwd), canary, started).hits).toEqual([
      { file: path.join(cwd, 'leak.csv') },
    ]);
  });
});
