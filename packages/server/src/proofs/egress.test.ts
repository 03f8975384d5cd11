import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCanary } from './canary.js';
import { fullFlow } from './flow.js';
import { startServer } from './server-process.js';
import { egressViolations, socketAddresses } from './strace.js';
import { loopbackUpCommand, onLinux, requireTools, tempDir } from './tools.js';

/**
 * Issue 3, item 6 (a): the whole server flow runs inside a new network namespace with only
 * loopback, under `strace -f -e trace=%network`; every socket address in the trace must be
 * AF_UNIX, AF_NETLINK or loopback. DuckDB's native code is traced too (a JS hook would not see it).
 */
describe.runIf(onLinux)('proof (a): no egress', () => {
  let dir: string;
  beforeAll(() => {
    requireTools('strace', 'unshare');
    dir = tempDir('egress');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves the whole flow in a loopback-only network namespace and touches no other address', async () => {
    const trace = path.join(dir, 'server.trace');
    const cwd = path.join(dir, 'cwd');
    fs.mkdirSync(cwd);
    const server = await startServer({
      home: path.join(dir, 'home'),
      cwd,
      strace: { output: trace, syscalls: '%network' },
      netns: { socketDir: dir },
    });
    const canary = newCanary();
    let flow;
    try {
      flow = await fullFlow(server, canary);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // The flow really ran over the traced server: data came back, the dataset went away.
    expect(flow.canarySeen).toEqual({ rows: true, csv: true, json: true });
    expect(flow.datasetsAfterDelete).toBe(0);

    const text = fs.readFileSync(trace, 'utf8');
    const addresses = socketAddresses(text);
    // The trace saw the server's own loopback listener and its accepted connections.
    expect(addresses.some((a) => a.syscall === 'bind' && a.ip === '127.0.0.1')).toBe(true);
    const accepted = addresses.filter((a) => /^accept/.test(a.syscall) && a.fd && a.ip === '127.0.0.1');
    expect(accepted.length).toBeGreaterThan(20);
    expect(egressViolations(text), 'socket addresses other than AF_UNIX, AF_NETLINK, loopback').toEqual([]);
  });

  it('positive control: the same check flags a process that tries to reach 192.0.2.1', () => {
    const trace = path.join(dir, 'control.trace');
    const r = spawnSync(
      'unshare',
      [
        '-rn',
        '--',
        'sh',
        '-c',
        `${loopbackUpCommand()} && exec "$@"`,
        'sh',
        'strace',
        '-f',
        '-qq',
        '-yy',
        '-s',
        '0',
        '-o',
        trace,
        '-e',
        'trace=%network',
        process.execPath,
        '-e',
        "require('node:net').connect(80, '192.0.2.1').on('error', (e) => console.log(e.code))",
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    // No route out of the namespace: the attempt fails there, and strace still records it.
    expect(r.stdout.trim()).toBe('ENETUNREACH');
    const violations = egressViolations(fs.readFileSync(trace, 'utf8'));
    expect(violations).toContainEqual(
      expect.objectContaining({ syscall: 'connect', family: 'AF_INET', ip: '192.0.2.1' }),
    );
  });
});
