#!/usr/bin/env node
import { COMMAND_HELP, MAIN_HELP } from './help.js';

const COMMANDS = [
  'clean',
  'profile',
  'cluster',
  'duplicates',
  'sql',
  'validate',
  'serve',
  'users',
  'audit',
  'secrets',
] as const;
type Command = (typeof COMMANDS)[number];

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    // A usage error, as every other one: the help goes to stderr.
    process.stderr.write(`tidyvault: no command given\n\n${MAIN_HELP}`);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(MAIN_HELP);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write('tidyvault 0.1.0\n');
    return 0;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    process.stderr.write(`tidyvault: unknown command "${command}"\n\n${MAIN_HELP}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(COMMAND_HELP[command]!);
    return 0;
  }
  // Commands load DuckDB lazily so that --help stays instant.
  const { runCommand } = await import('./run-command.js');
  return runCommand(command as Command, rest);
}

// A reader that stops early (`tidyvault profile x.csv | head`) closes the pipe: that is the end
// of the output, not an error to print a stack trace for.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tidyvault: internal error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
