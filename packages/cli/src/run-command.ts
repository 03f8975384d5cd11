import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isTidyvaultError } from '@tidyvault/core';
import { REPEATABLE_SETTING_FLAGS, SETTING_FLAGS } from '@tidyvault/server/settings';
import { UsageError, type Args } from './args.js';
import { POSTGRES_OPTIONS } from './postgres-options.js';

/** Each command loads only what it needs: the CLI commands never load the web server. */
const LOADERS: Record<string, () => Promise<(args: Args) => Promise<number>>> = {
  clean: async () => (await import('./commands/clean.js')).clean,
  profile: async () => (await import('./commands/profile.js')).profile,
  cluster: async () => (await import('./commands/cluster.js')).cluster,
  duplicates: async () => (await import('./commands/duplicates.js')).duplicates,
  sql: async () => (await import('./commands/sql.js')).sql,
  serve: async () => (await import('./commands/serve.js')).serve,
  validate: async () => (await import('./commands/validate.js')).validate,
  users: async () => (await import('./commands/users.js')).users,
  audit: async () => (await import('./commands/audit.js')).audit,
  secrets: async () => (await import('./commands/secrets.js')).secrets,
};

type Options = NonNullable<ParseArgsConfig['options']>;

const INPUT_OPTIONS: Options = {
  sheet: { type: 'string' },
  delimiter: { type: 'string' },
  encoding: { type: 'string' },
  header: { type: 'boolean' },
  'no-header': { type: 'boolean' },
  ragged: { type: 'string' },
  'memory-limit': { type: 'string' },
  'spill-dir': { type: 'string' },
  threads: { type: 'string' },
  quiet: { type: 'boolean' },
};

/** `positionals: -1`: the command checks its own (a subcommand and its arguments). */
const SPECS: Record<string, { options: Options; positionals: number }> = {
  clean: {
    // One input file, or none with --from-postgres: clean checks.
    positionals: -1,
    options: {
      ...INPUT_OPTIONS,
      ...POSTGRES_OPTIONS,
      recipe: { type: 'string' },
      output: { type: 'string', short: 'o' },
      format: { type: 'string' },
      'input-format': { type: 'string' },
      'no-formula-guard': { type: 'boolean' },
    },
  },
  profile: {
    positionals: 1,
    options: {
      ...INPUT_OPTIONS,
      json: { type: 'boolean' },
      format: { type: 'string' },
      top: { type: 'string' },
    },
  },
  cluster: {
    positionals: 1,
    options: {
      ...INPUT_OPTIONS,
      column: { type: 'string' },
      method: { type: 'string' },
      'ngram-size': { type: 'string' },
      radius: { type: 'string' },
      'blocking-ngram-size': { type: 'string' },
      json: { type: 'boolean' },
      format: { type: 'string' },
    },
  },
  duplicates: {
    positionals: 1,
    options: {
      ...INPUT_OPTIONS,
      columns: { type: 'string' },
      threshold: { type: 'string' },
      json: { type: 'boolean' },
      format: { type: 'string' },
    },
  },
  sql: {
    positionals: 1,
    options: { input: { type: 'string' }, ...INPUT_OPTIONS, format: { type: 'string' } },
  },
  serve: {
    positionals: 0,
    // Every setting of @tidyvault/server's SETTINGS table, plus --config.
    options: {
      ...(Object.fromEntries(
        SETTING_FLAGS.map((flag) => [
          flag,
          REPEATABLE_SETTING_FLAGS.has(flag) ? { type: 'string', multiple: true } : { type: 'string' },
        ]),
      ) as Options),
      'local-only': { type: 'boolean' },
    },
  },
  validate: {
    positionals: 1,
    options: { input: { type: 'string' }, ...INPUT_OPTIONS, format: { type: 'string' } },
  },
  users: {
    positionals: -1,
    options: {
      admin: { type: 'boolean' },
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      home: { type: 'string' },
      json: { type: 'boolean' },
    },
  },
  audit: { positionals: -1, options: { home: { type: 'string' } } },
  secrets: {
    positionals: -1,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      database: { type: 'string' },
      user: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'no-password': { type: 'boolean' },
      sslmode: { type: 'string' },
      'ca-file': { type: 'string' },
      'server-users': { type: 'string' },
      home: { type: 'string' },
      'secrets-key-file': { type: 'string' },
      'new-key-file': { type: 'string' },
      'value-stdin': { type: 'boolean' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    },
  },
};

function parse(command: string, argv: string[]): Args {
  const spec = SPECS[command]!;
  try {
    const { values, positionals, tokens } = parseArgs({
      args: argv,
      options: spec.options,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    // Given twice, an option would silently keep its last value (-o a.csv -o b.csv).
    const seen = new Set<string>();
    for (const t of tokens) {
      if (t.kind !== 'option' || spec.options[t.name]?.multiple) continue;
      if (seen.has(t.name)) throw new UsageError(`${t.rawName} is given more than once (--${t.name})`);
      seen.add(t.name);
    }
    if (spec.positionals >= 0 && positionals.length !== spec.positionals) {
      throw new UsageError(
        positionals.length < spec.positionals
          ? `missing the ${command === 'sql' || command === 'validate' ? 'recipe' : 'input'} file`
          : `unexpected argument "${positionals[spec.positionals]}"`,
      );
    }
    // "-" is not standard input or output here: it would be read or written as a file of that name.
    if (positionals[0] === '-')
      throw new UsageError(`reading standard input ("-") is not supported; name the file to read`);
    if (values.output === '-')
      throw new UsageError('writing to standard output ("-o -") is not supported; name the file to write');
    return { positionals, values: values as Args['values'] };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}

export async function runCommand(command: string, argv: string[]): Promise<number> {
  try {
    const args = parse(command, argv);
    const run = await LOADERS[command]!();
    return await run(args);
  } catch (e) {
    if (e instanceof UsageError || (isTidyvaultError(e) && e.code === 'USAGE')) {
      process.stderr.write(
        `tidyvault ${command}: ${(e as Error).message}\nRun 'tidyvault ${command} --help' for usage.\n`,
      );
      return 2;
    }
    if (isTidyvaultError(e)) {
      process.stderr.write(`tidyvault ${command}: ${e.message}\n`);
      return 1;
    }
    const detail = process.env.TIDYVAULT_DEBUG ? `\n${(e as Error).stack}` : '';
    process.stderr.write(`tidyvault ${command}: unexpected error: ${(e as Error).message}${detail}\n`);
    return 1;
  }
}
