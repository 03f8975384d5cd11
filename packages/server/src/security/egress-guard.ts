import dgram from 'node:dgram';
import net from 'node:net';
import { isLoopback } from '../listen.js';

/** Where a `net.Socket#connect` call goes: a unix socket path, or a host and port. */
export type Destination = { path: string } | { host: string; port: number };

/**
 * The destination of `connect`'s arguments, in any of its forms (options, port/host, path,
 * Node's own array), read as Node reads them: an options `path` only when it is not empty, and
 * a string first argument as a path only when it is not a number (`'0x50'`, `' 80'` are ports).
 */
export function destinationOf(args: readonly unknown[]): Destination | undefined {
  const a = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const first = a[0];
  if (first !== null && typeof first === 'object') {
    const o = first as { path?: unknown; host?: unknown; port?: unknown };
    if (typeof o.path === 'string' && o.path !== '') return { path: o.path };
    // A host that is not a string (a String object) is read as its text, not as "no host".
    const host = o.host === undefined || o.host === null || o.host === '' ? 'localhost' : String(o.host);
    return { host, port: Number(o.port) };
  }
  if (typeof first === 'string' && !(Number(first) >= 0)) return { path: first };
  if (typeof first === 'number' || typeof first === 'string')
    return { host: typeof a[1] === 'string' && a[1] !== '' ? a[1] : 'localhost', port: Number(first) };
  return undefined;
}

const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/** A loopback IP address (what a loopback name must resolve to). */
export function isLoopbackAddress(ip: string): boolean {
  const a = bare(ip);
  return (net.isIPv4(a) && a.startsWith('127.')) || a === '::1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(a);
}

const blockedError = (host: string, port: number) =>
  Object.assign(
    new Error(
      `outgoing connection to ${host}:${port} blocked: it is not a configured data source or sign-in provider`,
    ),
    { code: 'EGRESS_BLOCKED' },
  );

/**
 * SECURITY-CONTROLS 38's runtime guard, in depth behind the network proofs: every TCP socket the
 * server's JavaScript opens (fetch, pg, anything a library might add) goes through
 * `net.Socket#connect`; one to a host that is not loopback and not `allowed` (the configured data
 * sources and sign-in provider) is destroyed before any packet is sent, with EGRESS_BLOCKED, and
 * reported. A loopback name must also resolve to a loopback address (a custom `lookup` could
 * say otherwise). UDP, which the server never uses, is refused altogether. DuckDB's
 * own native code and the system's name resolution do not pass here; the engine's lockdown and
 * the network proofs cover them. Returns the function that removes the guard.
 */
export function installEgressGuard(o: {
  allowed: (host: string) => boolean;
  onBlocked: (host: string, port: number) => void;
}): () => void {
  const connect = net.Socket.prototype.connect;
  const guardedConnect = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const d = destinationOf(args);
    if (d && 'host' in d) {
      const host = bare(d.host);
      const block = (reported: string) => {
        o.onBlocked(reported, d.port);
        this.destroy(blockedError(reported, d.port));
      };
      if (isLoopback(host)) {
        // Only a name is looked up: the address it resolves to must be loopback too.
        this.on('lookup', (err: Error | null, address: string) => {
          if (!err && typeof address === 'string' && !isLoopbackAddress(address)) block(address);
        });
      } else if (!o.allowed(host)) {
        process.nextTick(() => block(d.host));
        return this;
      }
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  };

  // The server sends no UDP at all, so none is allowed: a socket's own `lookup` could send a
  // datagram addressed to 127.0.0.1 anywhere.
  const send = dgram.Socket.prototype.send;
  const udpConnect = dgram.Socket.prototype.connect;
  const refuseUdp = (args: unknown[], at: (a: unknown[]) => [unknown, unknown]) => {
    const [address, port] = at(args);
    const host = typeof address === 'string' && address !== '' ? address : 'localhost';
    o.onBlocked(host, Number(port));
    throw blockedError(host, Number(port));
  };
  const guardedSend = function (this: dgram.Socket, ...args: unknown[]): void {
    refuseUdp(args, ([, offset, length, port, address]) =>
      address || (port && typeof port !== 'function') ? [address, port] : [length, offset],
    );
  };
  const guardedUdpConnect = function (this: dgram.Socket, ...args: unknown[]): void {
    refuseUdp(args, ([port, address]) => [address, port]);
  };

  net.Socket.prototype.connect = guardedConnect as typeof connect;
  dgram.Socket.prototype.send = guardedSend as typeof send;
  dgram.Socket.prototype.connect = guardedUdpConnect as typeof udpConnect;
  return () => {
    if (net.Socket.prototype.connect === guardedConnect) net.Socket.prototype.connect = connect;
    if (dgram.Socket.prototype.send === guardedSend) dgram.Socket.prototype.send = send;
    if (dgram.Socket.prototype.connect === guardedUdpConnect) dgram.Socket.prototype.connect = udpConnect;
  };
}
