import net from 'node:net';
import { isLoopback } from '../listen.js';

/** Where a `net.Socket#connect` call goes: a unix socket path, or a host and port. */
export type Destination = { path: string } | { host: string; port: number };

/** The destination of `connect`'s arguments, in any of its forms (options, port/host, path, Node's own array). */
export function destinationOf(args: readonly unknown[]): Destination | undefined {
  const a = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const first = a[0];
  if (first !== null && typeof first === 'object') {
    const o = first as { path?: unknown; host?: unknown; port?: unknown };
    if (typeof o.path === 'string') return { path: o.path };
    return { host: typeof o.host === 'string' ? o.host : 'localhost', port: Number(o.port) };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { path: first };
  if (typeof first === 'number' || typeof first === 'string')
    return { host: typeof a[1] === 'string' ? a[1] : 'localhost', port: Number(first) };
  return undefined;
}

const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/**
 * SECURITY-CONTROLS 38's runtime guard, in depth behind the network proofs: every socket the
 * server's JavaScript opens (fetch, pg, anything a library might add) goes through
 * `net.Socket#connect`; one to a host that is not loopback and not `allowed` (the configured data
 * sources and sign-in provider) is destroyed before any packet is sent, with EGRESS_BLOCKED, and
 * reported. DuckDB's own native code does not pass here; its lockdown and the proofs cover it.
 * Returns the function that removes the guard.
 */
export function installEgressGuard(o: {
  allowed: (host: string) => boolean;
  onBlocked: (host: string, port: number) => void;
}): () => void {
  const original = net.Socket.prototype.connect;
  const guarded = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const d = destinationOf(args);
    if (
      d &&
      'host' in d &&
      !isLoopback(bare(d.host)) &&
      bare(d.host) !== 'localhost' &&
      !o.allowed(bare(d.host))
    ) {
      o.onBlocked(d.host, d.port);
      const error = Object.assign(
        new Error(
          `outgoing connection to ${d.host}:${d.port} blocked: it is not a configured data source or sign-in provider`,
        ),
        { code: 'EGRESS_BLOCKED' },
      );
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  net.Socket.prototype.connect = guarded as typeof original;
  return () => {
    if (net.Socket.prototype.connect === guarded) net.Socket.prototype.connect = original;
  };
}
