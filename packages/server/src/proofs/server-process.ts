import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CLI, loopbackUpCommand } from './tools.js';

export interface StartOptions {
  /** $TIDYVAULT_HOME for the server. */
  home: string;
  /** The server's working directory (DuckDB's default spill folder would be relative to it). */
  cwd: string;
  /** Extra `tidyvault serve` flags. */
  args?: string[];
  /** Run the server under `strace -f` writing to `output`, tracing `syscalls` (strace -e trace=…). */
  strace?: { output: string; syscalls: string };
  /**
   * Run inside a new user + network namespace (`unshare -rn`) with only loopback up. The test
   * process is outside it, so a bridge inside relays a Unix socket in `socketDir` to the server.
   */
  netns?: { socketDir: string };
  /** Extra environment variables for the server (e.g. TIDYVAULT_TEST_STAGING_ROOT). */
  env?: Record<string, string>;
}

export interface ServerProcess {
  /** The tidyvault server's own pid (not strace's, not the bridge's). */
  pid: number;
  /** http://127.0.0.1:<port>, also the Host/Origin the server expects. */
  origin: string;
  /** Set when the server runs in its own network namespace: HTTP goes through this socket. */
  socketPath?: string;
  /** The one-time login link. Never print it: it holds a token. */
  loginUrl: string;
  /** The server's stderr so far (JSON logs: never tokens or cell values). */
  stderr: () => string;
  /** SIGTERM to the server, then wait for the spawned tree to exit; returns the exit code. */
  stop: () => Promise<number | null>;
  /** SIGKILL to the server, then wait for the spawned tree to exit. */
  kill9: () => Promise<void>;
}

/**
 * Runs inside the namespace (plain JS, `node -e`): starts the command it is given, echoes its
 * stdout, and once the login link names the port, relays connections on a Unix socket (which
 * crosses network namespaces because it is a file) to 127.0.0.1:<port>. A closed client closes
 * the relayed connection at once, so a disconnect reaches the server as a disconnect; a closed
 * server connection ends the client's once what it sent has been delivered.
 */
const BRIDGE = `
const net = require('node:net');
const { spawn } = require('node:child_process');
const [sock, ...cmd] = process.argv.slice(1);
const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
let relay;
child.stdout.on('data', (c) => {
  process.stdout.write(c);
  out += c;
  const m = /http:\\/\\/127\\.0\\.0\\.1:(\\d+)\\//.exec(out);
  if (m && !relay) {
    relay = net.createServer((s) => {
      const u = net.connect(Number(m[1]), '127.0.0.1');
      s.pipe(u);
      u.pipe(s);
      s.on('close', () => u.destroy());
      // end, not destroy: a response still in s's write buffer (a slow reader on a loaded
      // machine) would be cut, and the client would see "aborted".
      u.on('close', () => s.end());
      s.on('error', () => u.destroy());
      u.on('error', () => s.destroy());
    });
    relay.listen(sock, () => process.stdout.write('BRIDGE READY\\n'));
  }
});
child.on('exit', (code, signal) => {
  if (relay) relay.close();
  process.exit(code === null ? 128 : code);
});
process.on('SIGTERM', () => {});
`;

export async function startServer(o: StartOptions): Promise<ServerProcess> {
  // Defaults the caller's args may override (serve refuses an option given twice).
  const given = new Set((o.args ?? []).filter((a) => a.startsWith('--')));
  const serveArgs = [
    ...(given.has('--port') ? [] : ['--port', '0']),
    ...(given.has('--threads') ? [] : ['--threads', '1']),
    ...(given.has('--memory-limit') ? [] : ['--memory-limit', '512MB']),
    ...(o.args ?? []),
  ];
  let cmd = [process.execPath, CLI, 'serve', ...serveArgs];
  if (o.strace) {
    // --seccomp-bpf: stop only on the traced syscalls (fast); -yy: fds as paths, sockets with
    // their endpoints; -s 0: no buffer contents (they could hold cell values); paths print whole.
    cmd = ['strace', '-f', '-qq', '-yy', '--seccomp-bpf', '-s', '0', '-o', o.strace.output];
    cmd.push('-e', `trace=${o.strace.syscalls}`, '--', process.execPath, CLI, 'serve');
    cmd.push(...serveArgs);
  }
  let socketPath: string | undefined;
  if (o.netns) {
    socketPath = path.join(o.netns.socketDir, 'bridge.sock');
    cmd = [
      'unshare',
      '-rn',
      '--',
      'sh',
      '-c',
      `${loopbackUpCommand()} && exec "$@"`,
      'sh',
      process.execPath,
      '-e',
      BRIDGE,
      socketPath,
      ...cmd,
    ];
  }
  const child = spawn(cmd[0]!, cmd.slice(1), {
    cwd: o.cwd,
    // A minimal environment: nothing from the test runner leaks into the server.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TIDYVAULT_HOME: o.home, LANG: 'C.UTF-8', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const ready = await new Promise<{ loginUrl: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('the server did not start within 30 s')), 30_000);
    const finish = (e?: Error) => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      if (e) {
        child.kill('SIGKILL');
        // stderr holds JSON logs only; stdout (which holds the login token) is never reported.
        reject(new Error(`${e.message}; server stderr:\n${err.slice(0, 4000)}`));
      }
    };
    const check = () => {
      const link = /(http:\/\/127\.0\.0\.1:\d+\/auth\/token\?token=[\w-]+)/.exec(out);
      const pid = /"pid":(\d+)/.exec(err);
      if (link && pid && (!o.netns || out.includes('BRIDGE READY'))) {
        finish();
        resolve({ loginUrl: link[1]!, pid: Number(pid[1]) });
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => finish(new Error(`the server exited with ${code} before it was ready`)));
  });
  return {
    pid: ready.pid,
    origin: new URL(ready.loginUrl).origin,
    ...(socketPath ? { socketPath } : {}),
    loginUrl: ready.loginUrl,
    stderr: () => err,
    stop: async () => {
      signal(child, ready.pid, 'SIGTERM');
      return exited;
    },
    kill9: async () => {
      signal(child, ready.pid, 'SIGKILL');
      await exited;
    },
  };
}

function signal(child: ChildProcess, pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    child.kill(sig);
  }
}
