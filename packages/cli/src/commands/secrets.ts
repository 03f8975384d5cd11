import fs from 'node:fs';
import path from 'node:path';
import { normaliseUsername, usernameProblem } from '@tidyvault/server/accounts';
import {
  KEEP_PASSWORD,
  newKeyText,
  readKeyFile,
  requireKey,
  SecretsError,
  SecretsStore,
  SSL_MODES,
  tidyvaultHome,
  type PostgresSettings,
  type ConnectionSummary,
  type SecretSummary,
  type SslMode,
} from '@tidyvault/server/secrets';
import { UsageError, type Args } from '../args.js';

/** Subcommands, how many names each takes, and the options each allows. */
const SUBCOMMANDS: Record<string, { names: number; options: string[] }> = {
  'new-key': { names: 0, options: ['out', 'home'] },
  set: {
    names: 1,
    options: [
      'host',
      'port',
      'database',
      'user',
      'password-stdin',
      'no-password',
      'sslmode',
      'ca-file',
      'server-users',
      'home',
      'secrets-key-file',
    ],
  },
  'set-value': { names: 1, options: ['value-stdin', 'home', 'secrets-key-file'] },
  list: { names: 0, options: ['json', 'home'] },
  delete: { names: 1, options: ['home'] },
  'rotate-key': { names: 0, options: ['new-key-file', 'home', 'secrets-key-file'] },
};

const str = (args: Args, name: string): string | undefined => {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
};

/** The password on standard input, without the one line ending `echo` adds. */
function passwordFromStdin(): string {
  if (process.stdin.isTTY) process.stderr.write('Type the password, then press Enter and Ctrl+D:\n');
  const text = fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (text === '') throw new UsageError('standard input held no password');
  return text;
}

function sslmode(raw: string): SslMode {
  if ((SSL_MODES as readonly string[]).includes(raw)) return raw as SslMode;
  if (['require', 'prefer', 'allow', 'verify-ca', 'no-verify'].includes(raw))
    throw new UsageError(
      `--sslmode ${raw} is not offered: it does not check that the server is the one you meant, so a man in the middle could read the password and the data. Use verify-full (the default) and give the server's CA with --ca-file, or disable on a network you trust`,
    );
  throw new UsageError(`--sslmode must be ${SSL_MODES.join(' or ')}`);
}

function caFile(raw: string): string {
  const abs = path.resolve(raw);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new UsageError(`--ca-file ${abs} cannot be read (${(e as NodeJS.ErrnoException).code})`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw new UsageError(`--ca-file ${abs} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return abs;
}

function serverUsers(raw: string): string[] {
  const v = raw.trim();
  if (v === '' || v === 'none') return [];
  if (v === '*') return ['*'];
  return v.split(',').map((s) => {
    const name = normaliseUsername(s);
    const problem = usernameProblem(name);
    if (problem) throw new UsageError(`--server-users: ${problem}`);
    return name;
  });
}

function port(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError('--port must be a whole number from 1 to 65535');
  return n;
}

function table(items: SecretSummary[]): string {
  const rows = [
    ['NAME', 'KIND', 'HOST', 'PORT', 'DATABASE', 'USER', 'SSLMODE', 'CA FILE', 'SECRET', 'SERVER USERS'],
    ...items.map((c) =>
      c.kind === 'value'
        ? [c.name, 'value', '', '', '', '', '', '', 'stored', '']
        : [
            c.name,
            'postgres',
            c.settings.host,
            String(c.settings.port),
            c.settings.database,
            c.settings.user,
            c.settings.sslmode,
            c.settings.caFile ?? '(system CAs)',
            c.hasPassword ? 'stored' : 'none',
            c.settings.serverUsers.length === 0 ? '(CLI only)' : c.settings.serverUsers.join(','),
          ],
    ),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

const describe = (c: ConnectionSummary) =>
  `${c.name}: postgres ${c.settings.user}@${c.settings.host}:${c.settings.port}/${c.settings.database}, sslmode ${c.settings.sslmode}, password ${c.hasPassword ? 'stored (encrypted)' : 'none'}, ${c.settings.serverUsers.length === 0 ? 'CLI only' : `server users ${c.settings.serverUsers.join(',')}`}`;

/** `tidyvault secrets new-key|set|list|delete|rotate-key`: named data-source connections, encrypted at rest. */
export async function secrets(args: Args): Promise<number> {
  const [sub, ...names] = args.positionals;
  if (sub === undefined)
    throw new UsageError(`missing the subcommand: ${Object.keys(SUBCOMMANDS).join(', ')}`);
  const spec = SUBCOMMANDS[sub];
  if (!spec) throw new UsageError(`unknown subcommand "${sub}"; use ${Object.keys(SUBCOMMANDS).join(', ')}`);
  if (names.length < spec.names) throw new UsageError(`${sub} needs the connection's name`);
  if (names.length > spec.names) throw new UsageError(`unexpected argument "${names[spec.names]}"`);
  for (const [option, value] of Object.entries(args.values)) {
    if (value !== undefined && !spec.options.includes(option))
      throw new UsageError(`--${option} does not apply to ${sub}`);
  }
  const homeFlag = str(args, 'home');
  const home = homeFlag ? path.resolve(homeFlag) : tidyvaultHome(process.env);
  const keyFile = str(args, 'secrets-key-file');
  const name = names[0]!;
  switch (sub) {
    case 'new-key': {
      const out = str(args, 'out');
      const text = newKeyText() + '\n';
      if (out === undefined) {
        process.stdout.write(text);
        return 0;
      }
      const abs = path.resolve(out);
      try {
        fs.writeFileSync(abs, text, { mode: 0o600, flag: 'wx' });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new UsageError(
          code === 'EEXIST'
            ? `${abs} already exists; a key file is never overwritten (choose another name)`
            : `cannot write ${abs} (${code ?? 'error'})`,
        );
      }
      // The same checks as when it is used: refuse a key beside the store it protects.
      try {
        readKeyFile(abs, home);
      } catch (e) {
        fs.rmSync(abs, { force: true });
        throw e;
      }
      process.stderr.write(`wrote a new secrets key to ${abs} (mode 600); keep it away from ${home}\n`);
      return 0;
    }
    case 'set': {
      const store = new SecretsStore(home, requireKey({ keyFile, home }));
      const found = store.get(name);
      if (found?.kind === 'value')
        throw new UsageError(`${name} is a secret value, not a connection (delete it first)`);
      const old = found;
      const given: Partial<PostgresSettings> = {};
      const host = str(args, 'host');
      if (host !== undefined) given.host = host;
      const p = str(args, 'port');
      if (p !== undefined) given.port = port(p);
      const database = str(args, 'database');
      if (database !== undefined) given.database = database;
      const user = str(args, 'user');
      if (user !== undefined) given.user = user;
      const mode = str(args, 'sslmode');
      if (mode !== undefined) given.sslmode = sslmode(mode);
      const ca = str(args, 'ca-file');
      if (ca !== undefined) given.caFile = ca === '' || ca === 'system' ? undefined : caFile(ca);
      const su = str(args, 'server-users');
      if (su !== undefined) given.serverUsers = serverUsers(su);
      const base: Partial<PostgresSettings> = old?.settings ?? {
        port: 5432,
        sslmode: 'verify-full',
        serverUsers: [],
      };
      const settings = { ...base, ...given } as PostgresSettings;
      if (ca === '' || ca === 'system') delete settings.caFile;
      for (const required of ['host', 'database', 'user'] as const)
        if (settings[required] === undefined) throw new UsageError(`a new connection needs --${required}`);
      if (args.values['password-stdin'] === true && args.values['no-password'] === true)
        throw new UsageError('--password-stdin and --no-password contradict each other');
      const password =
        args.values['password-stdin'] === true
          ? passwordFromStdin()
          : args.values['no-password'] === true || !old
            ? undefined
            : KEEP_PASSWORD;
      const saved = store.setPostgres(name, settings, password) as ConnectionSummary;
      process.stderr.write(`${old ? 'updated' : 'saved'} ${describe(saved)}\n`);
      if (saved.settings.sslmode === 'disable')
        process.stderr.write(
          `tidyvault secrets: warning: ${name} has sslmode=disable: its password and data will cross the network unencrypted\n`,
        );
      return 0;
    }
    case 'set-value': {
      if (args.values['value-stdin'] !== true)
        throw new UsageError(
          'set-value reads the value from standard input: pass --value-stdin (a secret is never taken as an argument, where other users could see it)',
        );
      const store = new SecretsStore(home, requireKey({ keyFile, home }));
      if (process.stdin.isTTY) process.stderr.write('Type the value, then press Enter and Ctrl+D:\n');
      const value = fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '');
      if (value === '') throw new UsageError('standard input held no value');
      const existed = store.get(name) !== undefined;
      store.setValue(name, value);
      process.stderr.write(`${existed ? 'updated' : 'saved'} ${name}: a secret value (encrypted)\n`);
      return 0;
    }
    case 'list': {
      const items = new SecretsStore(home).list();
      if (args.values.json === true) {
        const connections = items
          .filter((c): c is ConnectionSummary => c.kind === 'postgres')
          .map((c) => ({
            name: c.name,
            kind: c.kind,
            ...c.settings,
            caFile: c.settings.caFile ?? null,
            hasPassword: c.hasPassword,
            createdAt: c.createdAt,
            updatedAt: c.updatedAt,
          }));
        const values = items
          .filter((c) => c.kind === 'value')
          .map((c) => ({ name: c.name, kind: c.kind, createdAt: c.createdAt, updatedAt: c.updatedAt }));
        process.stdout.write(JSON.stringify({ connections, values }, null, 2) + '\n');
      } else if (items.length === 0) process.stderr.write(`no connections or values in ${home}\n`);
      else process.stdout.write(table(items));
      return 0;
    }
    case 'delete': {
      if (!new SecretsStore(home).delete(name))
        throw new SecretsError(
          'NO_SUCH_SECRET',
          `there is no connection or value named "${name.slice(0, 80)}"`,
        );
      process.stderr.write(`deleted ${name}\n`);
      return 0;
    }
    case 'rotate-key': {
      const nextFile = str(args, 'new-key-file');
      if (nextFile === undefined) throw new UsageError('rotate-key needs --new-key-file <file>');
      const current = requireKey({ keyFile, home });
      const next = readKeyFile(nextFile, home);
      const count = new SecretsStore(home, current).rotate(next);
      process.stderr.write(
        `re-encrypted ${count} secret${count === 1 ? '' : 's'} with the key in ${path.resolve(nextFile)} (id ${next.id}); the old key (id ${current.id}) opens nothing here any more.\n` +
          `Next: give every tidyvault command and server the new key (--secrets-key-file, TIDYVAULT_SECRETS_KEY_FILE or TIDYVAULT_SECRETS_KEY), restart the server, then destroy the old key.\n`,
      );
      return 0;
    }
  }
  return 2;
}
