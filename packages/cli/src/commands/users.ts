import fs from 'node:fs';
import path from 'node:path';
import {
  Accounts,
  AccountsError,
  ROLES,
  tidyvaultHome,
  type Account,
  type Role,
} from '@tidyvault/server/accounts';
import { UsageError, type Args } from '../args.js';

/** Subcommands, how many names each takes, and the options each allows. */
const SUBCOMMANDS: Record<string, { names: number; options: string[] }> = {
  add: { names: 1, options: ['admin', 'role', 'password-stdin', 'home'] },
  list: { names: 0, options: ['json', 'home'] },
  disable: { names: 1, options: ['home'] },
  enable: { names: 1, options: ['home'] },
  'reset-password': { names: 1, options: ['password-stdin', 'home'] },
};

/** `--role admin|member|viewer` (default member); `--admin` is `--role admin`. */
function roleOf(args: Args): Role {
  const given = args.values.role;
  if (given !== undefined && (typeof given !== 'string' || !(ROLES as readonly string[]).includes(given)))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  if (args.values.admin === true && given !== undefined && given !== 'admin')
    throw new UsageError(`--admin and --role ${given} disagree; pass one of them`);
  return args.values.admin === true ? 'admin' : ((given as Role | undefined) ?? 'member');
}

/** The password on standard input, without the one line ending `echo` adds. */
function passwordFromStdin(args: Args, sub: string): string {
  if (args.values['password-stdin'] !== true) {
    throw new UsageError(
      `${sub} reads the password from standard input: pass --password-stdin, e.g. ` +
        `printf '%s' "$PASSWORD" | tidyvault users ${sub} <name> --password-stdin ` +
        `(a password is never taken as an argument, where other users could see it)`,
    );
  }
  if (process.stdin.isTTY) process.stderr.write('Type the password, then press Enter and Ctrl+D:\n');
  const text = fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (text === '') throw new AccountsError('BAD_PASSWORD', 'standard input held no password');
  return text;
}

const date = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') + 'Z' : '');

function table(accounts: Account[]): string {
  const rows = [
    ['NAME', 'ROLE', 'STATUS', 'CREATED', 'PASSWORD SET'],
    ...accounts.map((a) => [
      a.name,
      a.role,
      a.disabled ? 'disabled' : 'active',
      date(a.createdAt),
      date(a.passwordChangedAt),
    ]),
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

/** `tidyvault users add|list|disable|enable|reset-password`: the local accounts of `serve --auth local`. */
export async function users(args: Args): Promise<number> {
  const [sub, ...names] = args.positionals;
  if (sub === undefined)
    throw new UsageError(`missing the subcommand: ${Object.keys(SUBCOMMANDS).join(', ')}`);
  const spec = SUBCOMMANDS[sub];
  if (!spec) throw new UsageError(`unknown subcommand "${sub}"; use ${Object.keys(SUBCOMMANDS).join(', ')}`);
  if (names.length < spec.names) throw new UsageError(`${sub} needs the user's name`);
  if (names.length > spec.names) throw new UsageError(`unexpected argument "${names[spec.names]}"`);
  for (const [option, value] of Object.entries(args.values)) {
    if (value !== undefined && !spec.options.includes(option))
      throw new UsageError(`--${option} does not apply to ${sub}`);
  }
  const home =
    typeof args.values.home === 'string' && args.values.home !== ''
      ? path.resolve(args.values.home)
      : tidyvaultHome(process.env);
  const accounts = new Accounts(home);
  const name = names[0]!;
  try {
    switch (sub) {
      case 'add': {
        const role = roleOf(args);
        const password = passwordFromStdin(args, sub);
        const a = await accounts.add(name, password, role);
        process.stdout.write(`Added ${a.name} (${a.role}) to ${accounts.file}.\n`);
        return 0;
      }
      case 'list': {
        const all = accounts.list();
        if (args.values.json === true) {
          const out = all.map(({ passwordHash: _, generation: __, ...rest }) => rest);
          process.stdout.write(JSON.stringify({ users: out }, null, 2) + '\n');
        } else if (all.length === 0) {
          process.stdout.write(
            `No accounts in ${accounts.file}.\n` +
              `Add an administrator: printf '%s' "$PASSWORD" | tidyvault users add <name> --admin --password-stdin\n`,
          );
        } else process.stdout.write(table(all));
        return 0;
      }
      case 'disable': {
        const a = accounts.disable(name);
        const admins = accounts.list().filter((u) => u.role === 'admin' && !u.disabled);
        process.stdout.write(
          `Disabled ${a.name}: they cannot sign in, and their sessions end at their next request.\n`,
        );
        if (a.role === 'admin' && admins.length === 0)
          process.stderr.write(
            `Note: no active administrator is left; 'tidyvault serve --auth local' will print a setup token.\n`,
          );
        return 0;
      }
      case 'enable': {
        const a = accounts.enable(name);
        process.stdout.write(`Enabled ${a.name}: they can sign in again (old sessions stay ended).\n`);
        return 0;
      }
      case 'reset-password': {
        const password = passwordFromStdin(args, sub);
        const a = await accounts.resetPassword(name, password);
        process.stdout.write(`New password set for ${a.name}; their sessions have ended.\n`);
        return 0;
      }
    }
  } catch (e) {
    if (e instanceof AccountsError) {
      process.stderr.write(`tidyvault users ${sub}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  return 2;
}
