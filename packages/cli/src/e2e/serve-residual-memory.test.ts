import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, tidyvault, workdir } from './run-cli.js';

/** The soft core file size limit of a process, as the kernel reports it. */
const coreLimit = (pid: number) =>
  /^Max core file size\s+(\S+)/m.exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'))?.[1];

// SECURITY-CONTROLS 17: what would write the server's memory (and the data in it) to disk.
describe('tidyvault serve: no core dumps, no heap snapshots, no debugger', () => {
  // Core dumps as most machines allow them to be raised: the soft limit up to the hard one.
  const hardCore = spawnSync('sh', ['-c', 'ulimit -H -c'], { encoding: 'utf8' }).stdout.trim();
  const canRaise = process.platform === 'linux' && hardCore !== '0';

  it.runIf(canRaise)(
    'lowers the core file size limit to 0 when started with core dumps on, and ignores SIGUSR1',
    async () => {
      const home = path.join(workdir(), 'home');
      const command = `ulimit -c ${hardCore} && exec "${process.execPath}" "${CLI}" serve --port 0 --memory-limit 256MB --threads 1`;
      const child = spawn('sh', ['-c', command], {
        env: { ...process.env, TIDYVAULT_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (c) => (err += c));
      try {
        await new Promise<void>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (c) => {
            out += c;
            if (out.includes('serving at')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
        });
        // The shell execs node: its pid is the server's. The limit was raised before it started.
        expect(coreLimit(child.pid!)).toBe('0');
        expect(err).not.toMatch(/core dumps are on/);
        // SIGUSR1 would open Node's debugger on a running process: it stays closed.
        process.kill(child.pid!, 'SIGUSR1');
        await expect.poll(() => err, { timeout: 5000 }).toMatch(/SIGUSR1 ignored: the debugger stays closed/);
        expect(err).not.toMatch(/Debugger listening/);
        expect(child.exitCode).toBe(null);
      } finally {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  );

  it('refuses to start with a heap snapshot option, naming it (command line or NODE_OPTIONS)', () => {
    const home = path.join(workdir(), 'home');
    const viaEnv = tidyvault(['serve', '--port', '0'], {
      env: { TIDYVAULT_HOME: home, NODE_OPTIONS: '--heapsnapshot-signal=SIGUSR2' },
    });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stderr).toMatch(
      /refusing to start with --heapsnapshot-signal \(in NODE_OPTIONS\): it lets the process's memory/,
    );
    const viaArgv = spawnSync(
      process.execPath,
      ['--heapsnapshot-near-heap-limit=2', CLI, 'serve', '--port', '0'],
      { env: { ...process.env, TIDYVAULT_HOME: home }, encoding: 'utf8', timeout: 30_000 },
    );
    expect(viaArgv.status).toBe(1);
    expect(viaArgv.stderr).toMatch(
      /refusing to start with --heapsnapshot-near-heap-limit \(in the node command line\)/,
    );
  });
});
