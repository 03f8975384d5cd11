import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newKeyText, parseKey, SecretsStore } from '../secrets/index.js';
import { harness, type Harness } from '../test-support.js';
import { destinationOf, installEgressGuard } from './egress-guard.js';

/** How a socket to `args` ends: 'connected', or its error code. */
function attempt(...args: unknown[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = new net.Socket();
    socket.setTimeout(5000, () => socket.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    (socket.connect as (...a: unknown[]) => void)(...args);
  });
}

describe('the egress guard (SECURITY-CONTROLS 38, runtime)', () => {
  const blocked: string[] = [];
  let remove: (() => void) | undefined;
  let listener: net.Server;
  let port: number;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-egress-'));
  const unixPath = path.join(dir, 's.sock');
  let unixServer: net.Server;

  beforeAll(async () => {
    listener = net.createServer((s) => s.end());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    port = (listener.address() as net.AddressInfo).port;
    unixServer = net.createServer((s) => s.end());
    await new Promise<void>((r) => unixServer.listen(unixPath, r));
  });
  afterAll(async () => {
    await new Promise((r) => listener.close(r));
    await new Promise((r) => unixServer.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    remove?.();
    remove = undefined;
    blocked.length = 0;
  });
  const install = (allowed: string[] = []) =>
    (remove = installEgressGuard({
      allowed: (h) => allowed.includes(h),
      onBlocked: (h, p) => void blocked.push(`${h}:${p}`),
    }));

  it('reads the destination of every form of connect', () => {
    expect(destinationOf([443, '1.1.1.1'])).toEqual({ host: '1.1.1.1', port: 443 });
    expect(destinationOf([{ port: 5432, host: 'db.example' }])).toEqual({ host: 'db.example', port: 5432 });
    expect(destinationOf([[{ port: 80, host: 'a.example' }, null]])).toEqual({ host: 'a.example', port: 80 });
    expect(destinationOf([{ port: 80 }])).toEqual({ host: 'localhost', port: 80 });
    expect(destinationOf(['/run/x.sock'])).toEqual({ path: '/run/x.sock' });
    expect(destinationOf(['8080'])).toEqual({ host: 'localhost', port: 8080 });
    // As Node reads them: an empty path is no path; a string that is a number is a port.
    expect(destinationOf([{ path: '', host: 'a.example', port: 80 }])).toEqual({
      host: 'a.example',
      port: 80,
    });
    expect(destinationOf(['0x50', 'a.example'])).toEqual({ host: 'a.example', port: 80 });
    expect(destinationOf([' 80', 'a.example'])).toEqual({ host: 'a.example', port: 80 });
    expect(destinationOf([{ host: new String('a.example'), port: 80 }])).toEqual({
      host: 'a.example',
      port: 80,
    });
  });

  it('is not fooled by an empty path, a port written oddly, or a lookup that leaves loopback', async () => {
    install();
    expect(await attempt({ path: '', host: '192.0.2.1', port: 80 })).toBe('EGRESS_BLOCKED');
    expect(await attempt('0x50', '192.0.2.1')).toBe('EGRESS_BLOCKED');
    expect(await attempt('80.0', '192.0.2.1')).toBe('EGRESS_BLOCKED');
    const elsewhere = (_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      o.all ? cb(null, [{ address: '192.0.2.1', family: 4 }]) : cb(null, '192.0.2.1', 4);
    expect(await attempt({ host: 'localhost', port: 80, lookup: elsewhere })).toBe('EGRESS_BLOCKED');
    expect(await attempt({ port: 80, lookup: elsewhere })).toBe('EGRESS_BLOCKED');
    expect(await attempt({ host: 'localhost', port: 80, lookup: elsewhere, autoSelectFamily: false })).toBe(
      'EGRESS_BLOCKED',
    );
    expect(blocked).toEqual([
      '192.0.2.1:80',
      '192.0.2.1:80',
      '192.0.2.1:80',
      '192.0.2.1:80',
      '192.0.2.1:80',
      '192.0.2.1:80',
    ]);
  });

  it('refuses UDP altogether, loopback included (a socket’s own lookup could send it anywhere)', () => {
    install();
    const viaLookup = dgram.createSocket({
      type: 'udp4',
      lookup: (_h: string, _o: unknown, cb: (...a: unknown[]) => void) => cb(null, '192.0.2.1', 4),
    } as dgram.SocketOptions);
    const sender = dgram.createSocket('udp4');
    try {
      expect(() => sender.send('secret', 53, '192.0.2.1')).toThrow(/blocked/);
      expect(() => sender.send(Buffer.from('secret'), 0, 6, 53, '192.0.2.1')).toThrow(/blocked/);
      expect(() => sender.connect(53, '192.0.2.1')).toThrow(/blocked/);
      expect(() => viaLookup.send('secret', 53, '127.0.0.1')).toThrow(/blocked/);
      expect(() => viaLookup.connect(53, '127.0.0.1')).toThrow(/blocked/);
      expect(blocked).toHaveLength(5);
    } finally {
      sender.close();
      viaLookup.close();
    }
  });

  it('lets loopback, unix sockets and allowed hosts through', async () => {
    install(['db.invalid']);
    expect(await attempt(port, '127.0.0.1')).toBe('connected');
    expect(await attempt(port, 'localhost')).toBe('connected');
    expect(await attempt({ path: unixPath })).toBe('connected');
    // Allowed: the guard stands aside (the name does not resolve: a DNS error, not a block).
    expect(await attempt(5432, 'db.invalid')).not.toBe('EGRESS_BLOCKED');
    expect(blocked).toEqual([]);
  });

  it('is gone once removed', async () => {
    const before = net.Socket.prototype.connect;
    install()();
    expect(net.Socket.prototype.connect).toBe(before);
  });
});

describe("the server's allowed hosts and its record of a blocked connection", () => {
  let h: Harness;
  let home: string;
  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-egress-home-'));
    const key = parseKey(newKeyText(), 'test key');
    new SecretsStore(home, key).setPostgres(
      'pg.sales',
      {
        host: 'Sales-DB.internal.example',
        port: 5432,
        database: 'sales',
        user: 'reader',
        sslmode: 'verify-full',
        serverUsers: [],
      },
      'a password',
    );
    h = await harness({ secrets: new SecretsStore(home, key) });
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('allows the configured data sources only, and audits a blocked connection', async () => {
    expect(h.t.egressAllowed('sales-db.internal.example')).toBe(true);
    expect(h.t.egressAllowed('1.1.1.1')).toBe(false);
    const remove = installEgressGuard({ allowed: h.t.egressAllowed, onBlocked: h.t.egressBlocked });
    try {
      expect(await attempt(443, '1.1.1.1')).toBe('EGRESS_BLOCKED');
    } finally {
      remove();
    }
    const records = h.t.audit.list({ limit: 100 }).filter((r) => r.action === 'egress_blocked');
    expect(records.map((r) => r.target)).toEqual(['1.1.1.1:443']);
    expect(h.logs()).toMatch(/"op":"egress\.blocked","host":"1\.1\.1\.1","port":443/);
  });
});
