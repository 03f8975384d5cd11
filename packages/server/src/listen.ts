import net from 'node:net';
import type { TidyvaultApp } from './app.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export const isLoopback = (host: string): boolean =>
  LOOPBACK.has(host.toLowerCase()) || (net.isIPv4(host) && host.startsWith('127.'));

export interface ListenOptions {
  host: string;
  port: number;
  tls: boolean;
  trustProxy: boolean;
}

/** Anything but loopback is reachable by others: only with TLS here or a TLS proxy in front. */
export function checkBind(o: ListenOptions): void {
  if (!isLoopback(o.host) && !o.tls && !o.trustProxy) {
    throw new Error(
      `refusing to listen on ${o.host} without TLS: pass --tls-cert and --tls-key, or --trust-proxy when a TLS proxy is in front`,
    );
  }
}

/** Start listening; returns the address actually bound (port 0 picks a free one). */
export async function listen(t: TidyvaultApp, o: ListenOptions): Promise<{ url: string; port: number }> {
  checkBind(o);
  try {
    await t.app.listen({ host: o.host, port: o.port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new Error(
        `port ${o.port} on ${o.host} is taken (another Tidyvault, or another program): stop it, or pick another port with --port (TIDYVAULT_PORT)`,
      );
    if (code === 'EACCES')
      throw new Error(
        `not allowed to listen on port ${o.port} of ${o.host}: pick a port above 1023 with --port`,
      );
    throw e;
  }
  const addr = t.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return { url: `${o.tls ? 'https' : 'http'}://${host}:${port}`, port };
}
