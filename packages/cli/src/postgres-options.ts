import type { PostgresSource } from '@tidyvault/server/postgres';
import { UsageError, type Args } from './args.js';

/** The flags that read from or write to PostgreSQL (clean). */
export const POSTGRES_OPTIONS = {
  'from-postgres': { type: 'string' },
  table: { type: 'string' },
  query: { type: 'string' },
  'to-postgres': { type: 'string' },
  'new-table': { type: 'string' },
  'secrets-key-file': { type: 'string' },
  home: { type: 'string' },
} as const;

export interface PostgresPlan {
  from?: { connection: string; source: PostgresSource };
  to?: { connection: string; table: string };
}

const str = (args: Args, name: string): string | undefined => {
  const v = args.values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** What --from-postgres/--table/--query and --to-postgres/--new-table ask for, checked together. */
export function postgresPlan(args: Args): PostgresPlan {
  const plan: PostgresPlan = {};
  const from = str(args, 'from-postgres');
  const table = str(args, 'table');
  const query = str(args, 'query');
  if (from === undefined && (table !== undefined || query !== undefined))
    throw new UsageError('--table and --query go with --from-postgres <connection>');
  if (from !== undefined) {
    if ((table === undefined) === (query === undefined))
      throw new UsageError(
        '--from-postgres needs exactly one of --table <schema.table> or --query <select …>',
      );
    plan.from = { connection: from, source: table !== undefined ? { table } : { query: query! } };
  }
  const to = str(args, 'to-postgres');
  const newTable = str(args, 'new-table');
  if (to === undefined && newTable !== undefined)
    throw new UsageError('--new-table goes with --to-postgres <connection>');
  if (to !== undefined) {
    if (newTable === undefined) throw new UsageError('--to-postgres needs --new-table <schema.table>');
    plan.to = { connection: to, table: newTable };
  }
  return plan;
}
