import { serve as startServer, tidyvaultHome } from '@tidyvault/server';
import { optionalInt, UsageError, type Args } from '../args.js';

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?$/i;
const UNITS: Record<string, number> = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 };

export function parseSize(text: string, flag: string): number {
  const m = SIZE.exec(text.trim());
  if (!m) throw new UsageError(`${flag} must be a size such as 500MB or 2GB`);
  const bytes = Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'B').toUpperCase()]!);
  if (bytes < 1) throw new UsageError(`${flag} must be at least 1 byte`);
  return bytes;
}

const str = (args: Args, name: string): string | undefined => {
  const v = args.values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** Settings: a flag wins over its environment variable, which wins over the default. */
export function serveSettings(args: Args, env: NodeJS.ProcessEnv) {
  const host = str(args, 'host') ?? env.TIDYVAULT_HOST ?? '127.0.0.1';
  const portText = str(args, 'port') ?? env.TIDYVAULT_PORT ?? '5177';
  const port = optionalInt({ positionals: [], values: { port: portText } }, 'port', 0, 65535)!;
  const trust = str(args, 'trust-proxy');
  const allowed = args.values['allowed-host'] as unknown as string[] | undefined;
  const maxUpload = str(args, 'max-upload');
  return {
    host,
    port,
    home: tidyvaultHome(env),
    ...(str(args, 'tls-cert') ? { tlsCert: str(args, 'tls-cert')! } : {}),
    ...(str(args, 'tls-key') ? { tlsKey: str(args, 'tls-key')! } : {}),
    ...(trust ? { trustProxy: trust === 'true' ? true : trust } : {}),
    ...(allowed && allowed.length > 0 ? { allowedHosts: allowed } : {}),
    ...(str(args, 'memory-limit') ? { memoryLimit: str(args, 'memory-limit')! } : {}),
    ...(args.values.threads !== undefined ? { threads: optionalInt(args, 'threads', 1, 1024)! } : {}),
    ...(maxUpload ? { maxUploadBytes: parseSize(maxUpload, '--max-upload') } : {}),
  };
}

export async function serve(args: Args): Promise<number> {
  const settings = serveSettings(args, process.env);
  if ((settings.tlsCert === undefined) !== (settings.tlsKey === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together');
  }
  let server;
  try {
    server = await startServer({ ...settings, logStream: process.stderr });
  } catch (e) {
    const message = (e as Error).message;
    if (/refusing to listen/.test(message)) throw new UsageError(message);
    process.stderr.write(`tidyvault serve: ${message}\n`);
    return 1;
  }
  process.stdout.write(
    `Tidyvault is serving at ${server.url} (data held in this process's memory only)\n` +
      `Open this link to sign in (it works once):\n\n    ${server.loginUrl}\n\n` +
      `Press Ctrl+C to stop; stopping purges every dataset.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
