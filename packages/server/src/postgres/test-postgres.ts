import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * For tests: a real PostgreSQL from Debian's `postgresql` package, started in a temporary folder
 * on a free loopback port with TLS on, and the certificates to test it with — a CA made here,
 * a server certificate it signs for `localhost` (and 127.0.0.1, ::1), one it signs for another
 * host name, and one for `localhost` from a second, untrusted CA. Needs the PostgreSQL server
 * binaries (/usr/lib/postgresql/<version>/bin) and the `openssl` command. initdb refuses to run
 * as root: as root, the server runs as the `postgres` user (made by the Debian package) or,
 * without one, `nobody`, through `runuser`.
 */

/** The newest /usr/lib/postgresql/<version>/bin that has initdb and postgres, if any. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  let versions: string[];
  try {
    versions = fs.readdirSync(root);
  } catch {
    return undefined;
  }
  const found = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, 'bin'))
    .find((bin) => fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'postgres')));
  return found;
}

const hasOpenssl = (): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/**
 * Why PostgreSQL tests cannot run here, or undefined when they can. CI (CI=true) installs the
 * binaries, so there a missing one is a failure, not a reason to skip.
 */
export function postgresUnavailable(): string | undefined {
  const missing = !postgresBinaries()
    ? 'no PostgreSQL server binaries in /usr/lib/postgresql/<version>/bin (apt-get install postgresql)'
    : !hasOpenssl()
      ? 'no openssl command (apt-get install openssl)'
      : undefined;
  if (missing && process.env.CI === 'true') throw new Error(`PostgreSQL tests must run in CI: ${missing}`);
  return missing;
}

export interface TestCertificates {
  dir: string;
  /** The CA that signs `server` and `wrongHost`. */
  caFile: string;
  /** For localhost, 127.0.0.1 and ::1, signed by `caFile`. */
  server: { cert: string; key: string };
  /** Signed by `caFile`, for wrong.example only. */
  wrongHost: { cert: string; key: string };
  /** For localhost, signed by a second CA that nobody trusts. */
  otherCa: { cert: string; key: string; caFile: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '3',
      '-subj',
      `/CN=Tidyvault test ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return { cert, key };
}

function makeLeaf(
  dir: string,
  name: string,
  ca: { cert: string; key: string },
  names: string,
): { cert: string; key: string } {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(
    ext,
    `subjectAltName=${names}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      csr,
      '-subj',
      `/CN=${name}`,
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-out',
      cert,
      '-days',
      '3',
      '-extfile',
      ext,
    ],
    dir,
  );
  return { cert, key };
}

/** A CA, and server certificates right and wrong, in `dir`. */
export function makeCertificates(dir: string): TestCertificates {
  fs.mkdirSync(dir, { recursive: true });
  const ca = makeCa(dir, 'ca');
  const other = makeCa(dir, 'other-ca');
  return {
    dir,
    caFile: ca.cert,
    server: makeLeaf(dir, 'localhost', ca, 'DNS:localhost,IP:127.0.0.1,IP:::1'),
    wrongHost: makeLeaf(dir, 'wrong-host', ca, 'DNS:wrong.example'),
    otherCa: {
      ...makeLeaf(dir, 'other-localhost', other, 'DNS:localhost,IP:127.0.0.1,IP:::1'),
      caFile: other.cert,
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Who runs the server: ourselves, or (as root, which initdb refuses) the postgres user or nobody. */
function serverUser(): { name: string; uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { name, uid, gid };
    } catch {
      // next
    }
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL');
}

export interface TestPostgres {
  host: 'localhost';
  port: number;
  /** The superuser initdb made, and its password. */
  user: string;
  password: string;
  database: string;
  certs: TestCertificates;
  /** A superuser connection over the Unix socket (no TLS), for setting up and checking data. */
  admin: (database?: string) => Promise<pg.Client>;
  /** Run SQL as the superuser over the socket, in `database` (default postgres); rows as arrays. */
  sql: (text: string, values?: unknown[], database?: string) => Promise<unknown[][]>;
  /** Present another certificate from now on (reloads the server's configuration). */
  present: (which: 'server' | 'wrongHost' | 'otherCa') => Promise<void>;
  /** The server's own log so far. */
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * Start a PostgreSQL server with TLS for `localhost` (certificates from makeCertificates). The
 * superuser's password is `password`; the server answers on localhost only (TCP, TLS optional
 * for the client to ask for) and on a Unix socket in its folder.
 */
export async function startTestPostgres(o: { password: string; user?: string }): Promise<TestPostgres> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('no PostgreSQL binaries');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-pg-'));
  const data = path.join(dir, 'data');
  const certs = makeCertificates(path.join(dir, 'certs'));
  const user = o.user ?? 'tidy';
  const runAs = serverUser();
  const pwfile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwfile, o.password + '\n', { mode: 0o600 });
  const tlsDir = path.join(dir, 'tls');
  fs.mkdirSync(tlsDir, { mode: 0o700 });
  // The server reads its key only if it is 0600 and its own.
  for (const [name, files] of Object.entries({
    server: certs.server,
    wrongHost: certs.wrongHost,
    otherCa: certs.otherCa,
  })) {
    fs.copyFileSync(files.cert, path.join(tlsDir, `${name}.crt`));
    fs.copyFileSync(files.key, path.join(tlsDir, `${name}.key`));
    fs.chmodSync(path.join(tlsDir, `${name}.key`), 0o600);
  }
  if (runAs) {
    fs.chmodSync(dir, 0o700);
    execFileSync('chown', ['-R', `${runAs.uid}:${runAs.gid}`, dir]);
  }
  // setpriv execs the program itself (runuser would stay between, and not pass on SIGINT).
  const command = (file: string, args: string[]): [string, string[]] =>
    runAs
      ? ['setpriv', [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', '--', file, ...args]]
      : [file, args];
  const [initdb, initArgs] = command(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    user,
    '--pwfile',
    pwfile,
    '--auth',
    'scram-sha-256',
    '-E',
    'UTF8',
    '--locale',
    'C',
    '--no-sync',
  ]);
  try {
    execFileSync(initdb, initArgs, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
  fs.rmSync(pwfile);
  fs.appendFileSync(
    path.join(data, 'postgresql.conf'),
    [
      '',
      `listen_addresses = 'localhost'`,
      `unix_socket_directories = '${dir}'`,
      'ssl = on',
      `ssl_cert_file = '${path.join(tlsDir, 'server.crt')}'`,
      `ssl_key_file = '${path.join(tlsDir, 'server.key')}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'shared_buffers = 16MB',
      'max_connections = 20',
      '',
    ].join('\n'),
  );
  // Password (SCRAM) on every connection, with or without TLS: the client decides.
  fs.writeFileSync(
    path.join(data, 'pg_hba.conf'),
    'local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n',
  );
  // A free port now may be taken by the time the server binds it (tests run in parallel): retry.
  const start = async (port: number) => {
    const [postgres, args] = command(path.join(bin, 'postgres'), ['-D', data, '-p', String(port)]);
    const child: ChildProcess = spawn(postgres, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    let output = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const ready = await new Promise<boolean>((resolve) => {
      const onData = (b: Buffer) => {
        output += b.toString('utf8');
        if (output.includes('database system is ready to accept connections')) resolve(true);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', () => resolve(false));
    });
    return { child, exited, ready, output: () => output };
  };
  let server: Awaited<ReturnType<typeof start>> | undefined;
  let port = 0;
  for (let attempt = 1; attempt <= 5 && !server?.ready; attempt++) {
    port = await freePort();
    server = await start(port);
    const clash = /Address already in use/i.test(server.output());
    if (server.ready && clash) {
      // Up on one loopback address only: another process holds the port on the other one.
      server.child.kill('SIGINT');
      await server.exited;
      server = { ...server, ready: false };
    }
    if (!server.ready && !clash) break;
  }
  if (!server?.ready) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`postgres exited before it was ready:\n${server?.output() ?? ''}`);
  }
  const { child, exited } = server;
  const output = server.output;

  // A test run that dies must not leave a server behind.
  const killOnExit = () => child.kill('SIGQUIT');
  process.once('exit', killOnExit);

  const admin = async (database = 'postgres') => {
    const c = new pg.Client({ host: dir, port, user, password: o.password, database });
    await c.connect();
    return c;
  };
  const sql = async (text: string, values: unknown[] = [], database = 'postgres') => {
    const c = await admin(database);
    try {
      const r = await c.query({ text, values, rowMode: 'array' });
      return r.rows as unknown[][];
    } finally {
      await c.end();
    }
  };
  return {
    host: 'localhost',
    port,
    user,
    password: o.password,
    database: 'postgres',
    certs,
    admin,
    sql,
    present: async (which) => {
      const cert = path.join(tlsDir, `${which}.crt`);
      await sql(`ALTER SYSTEM SET ssl_cert_file = '${cert}'`);
      await sql(`ALTER SYSTEM SET ssl_key_file = '${path.join(tlsDir, `${which}.key`)}'`);
      await sql('SELECT pg_reload_conf()');
      // A new session sees the new setting only once the server has reloaded (and its TLS context).
      for (let i = 0; i < 1500; i++) {
        const [[now]] = (await sql('SHOW ssl_cert_file')) as [[string]];
        if (now === cert) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('the server did not reload its certificate');
    },
    log: () => output(),
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
