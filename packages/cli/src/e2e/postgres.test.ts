import fs from 'node:fs';
import path from 'node:path';
import {
  postgresUnavailable,
  startTestPostgres,
  type TestPostgres,
} from '@tidyvault/server/postgres-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tidyvault, workdir, write, type CliResult } from './run-cli.js';

const CANARY = 'CANARY_PW_9a7c3e11';
const skip = postgresUnavailable();

let server: TestPostgres;
let dir: string;
let home: string;
let key: string;
const outputs: CliResult[] = [];

const run = (args: string[], input?: string): CliResult => {
  const r = tidyvault(args, {
    env: { TIDYVAULT_HOME: home, TIDYVAULT_SECRETS_KEY_FILE: key, TIDYVAULT_SECRETS_KEY: '' },
    ...(input === undefined ? {} : { input }),
  });
  outputs.push(r);
  return r;
};

const RECIPE = JSON.stringify({
  version: 1,
  steps: [
    { op: 'trim', columns: ['name'] },
    { op: 'change-case', columns: ['name'], case: 'title' },
    { op: 'to-number', columns: ['amount'] },
    { op: 'dedupe-rows' },
  ],
});

describe.skipIf(skip !== undefined)(
  'tidyvault clean with PostgreSQL (a real server, TLS verify-full)',
  () => {
    beforeAll(async () => {
      server = await startTestPostgres({ password: CANARY });
      await server.sql(
        "CREATE TABLE public.customers (id int, name text, amount numeric(12,2)); INSERT INTO public.customers VALUES (1, '  ann smith ', 10.50), (2, 'BOB', NULL), (3, '  ann smith ', 10.50)",
      );
      await server.sql('CREATE TABLE public.taken (x int); INSERT INTO public.taken VALUES (7)');
      dir = workdir();
      home = path.join(dir, 'home');
      key = path.join(dir, 'secrets.key');
      expect(run(['secrets', 'new-key', '--out', key]).code).toBe(0);
      const set = run(
        [
          'secrets',
          'set',
          'pg.shop',
          '--host',
          'localhost',
          '--port',
          String(server.port),
          '--database',
          'postgres',
          '--user',
          server.user,
          '--ca-file',
          server.certs.caFile,
          '--password-stdin',
        ],
        CANARY + '\n',
      );
      expect(set.code, set.stderr).toBe(0);
      write(dir, 'recipe.json', RECIPE);
    }, 120_000);

    afterAll(async () => {
      await server?.stop();
    });

    it('cleans a table into a file', () => {
      const out = path.join(dir, 'out.csv');
      const r = run([
        'clean',
        '--from-postgres',
        'pg.shop',
        '--table',
        'public.customers',
        '--recipe',
        path.join(dir, 'recipe.json'),
        '-o',
        out,
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/wrote 3 rows × 3 columns to .*out\.csv \(csv\).*3 rows read, 4 steps/);
      expect(fs.readFileSync(out, 'utf8')).toBe(
        '"id","name",amount\n"1","Ann Smith",10.5\n"2","Bob",\n"3","Ann Smith",10.5\n',
      );
    });

    it('cleans a query, and refuses one that writes (exit 1, nothing changed)', () => {
      const out = path.join(dir, 'q.csv');
      const ok = run([
        'clean',
        '--from-postgres',
        'pg.shop',
        '--query',
        'SELECT name, amount FROM public.customers WHERE id < 3 ORDER BY id',
        '--recipe',
        path.join(dir, 'recipe.json'),
        '-o',
        out,
      ]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(fs.readFileSync(out, 'utf8')).toBe('"name",amount\n"Ann Smith",10.5\n"Bob",\n');
      const bad = run([
        'clean',
        '--from-postgres',
        'pg.shop',
        '--query',
        'DELETE FROM public.customers',
        '--recipe',
        path.join(dir, 'recipe.json'),
        '-o',
        path.join(dir, 'never.csv'),
      ]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/only a query that reads can be imported/);
      expect(fs.existsSync(path.join(dir, 'never.csv'))).toBe(false);
    });

    it('exports a cleaned file to a new table, and refuses a table that exists', async () => {
      const input = write(dir, 'in.csv', 'name,amount\n  zoë ,"1,000.25"\n  zoë ,"1,000.25"\nmax,x\n');
      const r = run([
        'clean',
        input,
        '--recipe',
        path.join(dir, 'recipe.json'),
        '--to-postgres',
        'pg.shop',
        '--new-table',
        'public.clean',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/wrote 2 rows × 2 columns to pg\.shop table public\.clean \(new\)/);
      expect(await server.sql('SELECT name, amount FROM public.clean')).toEqual([
        ['Zoë', 1000.25],
        ['Max', null],
      ]);
      const again = run([
        'clean',
        input,
        '--recipe',
        path.join(dir, 'recipe.json'),
        '--to-postgres',
        'pg.shop',
        '--new-table',
        'public.taken',
      ]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/the table public\.taken already exists; an export makes a new table/);
      expect(await server.sql('SELECT x FROM public.taken')).toEqual([[7]]);
    });

    it('refuses a server presenting a wrong certificate, naming the TLS problem', async () => {
      await server.present('wrongHost');
      try {
        const r = run([
          'clean',
          '--from-postgres',
          'pg.shop',
          '--table',
          'public.customers',
          '--recipe',
          path.join(dir, 'recipe.json'),
          '-o',
          path.join(dir, 'never.csv'),
        ]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(
          /pg\.shop \(localhost:\d+\): TLS certificate verification failed — it is not issued for this host name/,
        );
      } finally {
        await server.present('server');
      }
    });

    it('refuses with another secrets key before connecting', () => {
      const other = path.join(dir, 'other.key');
      expect(run(['secrets', 'new-key', '--out', other]).code).toBe(0);
      const r = tidyvault(
        [
          'clean',
          '--from-postgres',
          'pg.shop',
          '--table',
          'public.customers',
          '--recipe',
          path.join(dir, 'recipe.json'),
          '-o',
          path.join(dir, 'never.csv'),
          '--secrets-key-file',
          other,
        ],
        { env: { TIDYVAULT_HOME: home, TIDYVAULT_SECRETS_KEY_FILE: '', TIDYVAULT_SECRETS_KEY: '' } },
      );
      outputs.push(r);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/encrypted with another secrets key/);
    });

    it('checks the flags together', () => {
      const recipe = path.join(dir, 'recipe.json');
      const cases: [string[], RegExp][] = [
        [
          ['clean', '--from-postgres', 'pg.shop', '--recipe', recipe, '-o', 'x.csv'],
          /exactly one of --table/,
        ],
        [['clean', 'in.csv', '--table', 't', '--recipe', recipe, '-o', 'x.csv'], /go with --from-postgres/],
        [['clean', 'in.csv', '--recipe', recipe, '--to-postgres', 'pg.shop'], /needs --new-table/],
        [
          [
            'clean',
            'in.csv',
            '--recipe',
            recipe,
            '--to-postgres',
            'pg.shop',
            '--new-table',
            't',
            '-o',
            'x.csv',
          ],
          /leave out -o/,
        ],
        [
          ['clean', 'a.csv', '--from-postgres', 'pg.shop', '--table', 't', '--recipe', recipe, '-o', 'x.csv'],
          /reads no input file/,
        ],
      ];
      for (const [args, why] of cases) {
        const r = run(args);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(why);
      }
    });

    it('never prints the password', () => {
      expect(outputs.length).toBeGreaterThan(10);
      for (const r of outputs) expect(r.stdout + r.stderr).not.toContain(CANARY);
      expect(fs.readFileSync(path.join(home, 'secrets.json'), 'utf8')).not.toContain(CANARY);
    });
  },
);

if (skip !== undefined) it.skip(`PostgreSQL CLI tests: ${skip}`, () => undefined);
