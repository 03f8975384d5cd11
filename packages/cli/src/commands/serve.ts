import {
  parseSize as parseSizeSetting,
  resolveSettings,
  serve as startServer,
  serveLocalOnly,
  SettingsError,
} from '@tidyvault/server';
import { UsageError, type Args } from '../args.js';

/** Bytes from a size such as 500MB or 2GB; a usage error naming `flag` otherwise. */
export function parseSize(text: string, flag: string): number {
  try {
    return parseSizeSetting(text, flag);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^--[\w-]+: /, `${flag} `));
  }
}

/**
 * Settings: a flag wins over its TIDYVAULT_* environment variable, which wins over the config
 * file ($TIDYVAULT_HOME/config.json or --config), which wins over the default.
 */
export function serveSettings(args: Args, env: NodeJS.ProcessEnv) {
  try {
    return resolveSettings(args.values, env).options;
  } catch (e) {
    if (e instanceof SettingsError) throw new UsageError(e.message);
    throw e;
  }
}

/** Where uploaded data is held, as the start banner says it. */
export function whereDataLives(spillDirectory: string | undefined): string {
  return spillDirectory === undefined
    ? "data held in this process's memory only"
    : `data held in this process's memory; when memory runs short, DuckDB may write blocks of it, unencrypted, to ${spillDirectory} (--spill-dir)`;
}

/** What `--local-only` takes: it serves files, so anything about accounts or data does not apply. */
const LOCAL_ONLY_FLAGS = new Set(['local-only', 'host', 'port', 'config']);

export async function serve(args: Args): Promise<number> {
  if (args.values['local-only'] === true) return serveStatic(args);
  const settings = serveSettings(args, process.env);
  let server;
  try {
    server = await startServer({ ...settings, logStream: process.stderr });
  } catch (e) {
    const message = (e as Error).message;
    if (/refusing to listen/.test(message)) throw new UsageError(message);
    process.stderr.write(`tidyvault serve: ${message}\n`);
    return 1;
  }
  for (const warning of server.warnings) process.stderr.write(`tidyvault serve: warning: ${warning}\n`);
  process.stdout.write(
    `Tidyvault is serving at ${server.url} (${whereDataLives(settings.spillDirectory)})\n`,
  );
  if (server.auth === 'single') {
    process.stdout.write(`Open this link to sign in (it works once):\n\n    ${server.loginUrl}\n\n`);
  } else if (server.auth === 'oidc') {
    process.stdout.write(`Single sign-on: sign in at ${server.loginUrl}\n`);
    if (server.noAdministrator)
      process.stdout.write(
        `No administrator yet: start with --oidc-admin-subject <sub> (a person's subject at the provider)\n` +
          `to make their account an administrator when their first sign-in creates it.\n`,
      );
  } else if (server.setupToken) {
    const until = server.setupExpiresAt!.toISOString().slice(11, 16);
    process.stdout.write(
      `Local accounts: no administrator yet. Create the first one at ${server.loginUrl}\n` +
        `with this one-time setup token (works once, until ${until} UTC):\n\n    ${server.setupToken}\n\n` +
        `or with: printf '%s' "$PASSWORD" | tidyvault users add <name> --admin --password-stdin\n\n`,
    );
  } else {
    process.stdout.write(`Local accounts: sign in at ${server.loginUrl}\n`);
  }
  process.stdout.write(`Press Ctrl+C to stop; stopping purges every dataset.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

/** `--local-only`: only the workbench's files; every file is opened and cleaned in the browser. */
async function serveStatic(args: Args): Promise<number> {
  const ignored = Object.keys(args.values).filter(
    (k) => args.values[k] !== undefined && !LOCAL_ONLY_FLAGS.has(k),
  );
  if (ignored.length > 0)
    throw new UsageError(
      `--local-only serves only the workbench's files (no API, no accounts, no engine): ${ignored.map((k) => `--${k}`).join(', ')} does not apply; only --host, --port and --config do`,
    );
  const settings = serveSettings(args, process.env);
  let server;
  try {
    server = await serveLocalOnly({ host: settings.host, port: settings.port });
  } catch (e) {
    const message = (e as Error).message;
    if (/refusing to listen/.test(message)) throw new UsageError(message);
    process.stderr.write(`tidyvault serve: ${message}\n`);
    return 1;
  }
  process.stdout.write(
    `Tidyvault (local only) is serving at ${server.url}/\n` +
      `Files opened there are cleaned in the browser and never sent to this server, which has no API.\n` +
      `Press Ctrl+C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
