// Paths, tool definitions and a description of the machine and tool versions.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO = path.dirname(BENCH_DIR);
export const DATA_DIR = path.join(BENCH_DIR, 'data');
export const OUT_DIR = path.join(BENCH_DIR, 'out');
/** The peers' reference scripts (WORKLOAD.md, gen.mjs, clean_duckdb.*, clean_pandas.py, floor_duckdb.mjs). */
export const PEERS_DIR = process.env.BENCH_PEERS_DIR ?? '/work/shared/bench';
export const CLI = process.env.TIDYVAULT_CLI ?? path.join(REPO, 'packages/cli/dist/main.js');
export const RECIPE = path.join(REPO, 'fixtures/w1/recipe.json');
export const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
/** Extra flags for `tidyvault clean`: the formula guard would prefix `'` to phones like `+1 …`. */
export const TIDYVAULT_CLEAN_FLAGS = (process.env.BENCH_TIDYVAULT_FLAGS ?? '--quiet --no-formula-guard')
  .split(/\s+/)
  .filter(Boolean);
const REGISTER_PEERS = path.join(BENCH_DIR, 'peers/register-peers.mjs');
/** verbatimPeers: run the peers' own .mjs files unmodified (through a resolve hook, ~0.1 s slower). */
export const settings = { verbatimPeers: false };

export const dataFile = (rows) => path.join(DATA_DIR, `w1_${rows}.csv`);

/** The W1 input of `rows` rows, generated once with the peers' gen.mjs (default seed). */
export function ensureData(rows, log = (m) => process.stderr.write(`${m}\n`)) {
  const file = dataFile(rows);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  log(`generating ${path.relative(REPO, file)} (node ${path.join(PEERS_DIR, 'gen.mjs')} ${rows} …)`);
  const r = spawnSync(process.execPath, [path.join(PEERS_DIR, 'gen.mjs'), String(rows), tmp], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`gen.mjs failed for ${rows} rows`);
  }
  fs.renameSync(tmp, file);
  return file;
}

/** The tools of the W1 comparison: argv for (input, output). */
export const TOOLS = {
  tidyvault: {
    label: 'tidyvault clean',
    argv: (i, o) => [
      process.execPath,
      CLI,
      'clean',
      i,
      '--recipe',
      RECIPE,
      '-o',
      o,
      ...TIDYVAULT_CLEAN_FLAGS,
    ],
    available: () => (fs.existsSync(CLI) ? true : `${path.relative(REPO, CLI)} not built`),
  },
  'duckdb-sql': {
    label: 'hand-written DuckDB SQL',
    argv: (i, o) =>
      settings.verbatimPeers
        ? [process.execPath, '--import', REGISTER_PEERS, path.join(PEERS_DIR, 'clean_duckdb.mjs'), i, o]
        : [process.execPath, path.join(BENCH_DIR, 'peers/duckdb-sql.mjs'), i, o],
    available: () => peerScript(settings.verbatimPeers ? 'clean_duckdb.mjs' : 'clean_duckdb.sql'),
  },
  pandas: {
    label: 'pandas',
    argv: (i, o) => [PYTHON, path.join(PEERS_DIR, 'clean_pandas.py'), i, o],
    available: () => {
      const p = peerScript('clean_pandas.py');
      return p === true ? pythonHasPandas() : p;
    },
  },
  floor: {
    label: 'floor: DuckDB read+write CSV',
    argv: (i, o) =>
      settings.verbatimPeers
        ? [
            process.execPath,
            '--import',
            REGISTER_PEERS,
            path.join(PEERS_DIR, 'floor_duckdb.mjs'),
            'copy',
            i,
            o,
          ]
        : [process.execPath, path.join(BENCH_DIR, 'peers/floor.mjs'), i, o],
    available: () => (settings.verbatimPeers ? peerScript('floor_duckdb.mjs') : true),
  },
};

function peerScript(name) {
  return fs.existsSync(path.join(PEERS_DIR, name)) ? true : `${path.join(PEERS_DIR, name)} missing`;
}

let pandasVersion;
function pythonPandas() {
  if (pandasVersion === undefined) {
    const r = spawnSync(
      PYTHON,
      [
        '-c',
        'import pandas, numpy, sys; print(pandas.__version__, numpy.__version__, sys.version.split()[0])',
      ],
      {
        encoding: 'utf8',
      },
    );
    pandasVersion = r.status === 0 ? r.stdout.trim().split(' ') : null;
  }
  return pandasVersion;
}
function pythonHasPandas() {
  return pythonPandas() ? true : `${PYTHON} cannot import pandas (apt-get install -y python3-pandas)`;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: REPO, timeout: 30_000, ...opts });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Machine and versions, for the results header. */
export function environment() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const duckdbPkg = readJson(path.join(REPO, 'node_modules/@duckdb/node-api/package.json'));
  const duckdbLib = run(process.execPath, [
    '--input-type=module',
    '-e',
    "import { DuckDBInstance } from '@duckdb/node-api'; const c = await (await DuckDBInstance.create(':memory:')).connect(); const r = await c.runAndReadAll('SELECT version() AS v'); console.log(r.getRowObjects()[0].v);",
  ]);
  const py = pythonPandas();
  const head = run('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = run('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no']);
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    cpu: model,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    duckdbNodeApi: duckdbPkg?.version ?? 'unknown',
    duckdb: duckdbLib ?? 'unknown',
    pandas: py?.[0] ?? 'not installed',
    numpy: py?.[1] ?? 'not installed',
    python: py?.[2] ?? 'unknown',
    tidyvault: fs.existsSync(CLI)
      ? (run(process.execPath, [CLI, '--version']) ?? 'unknown (no --version)')
      : 'not built',
    commit: head ? `${head}${dirty ? ' + uncommitted changes' : ''}` : 'unknown',
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

function readJson(p) {
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch {
    return undefined;
  }
}

export function environmentMarkdown(env) {
  return [
    `- machine: ${env.nproc} CPUs (\`nproc\`), ${env.memGiB} GiB RAM, ${env.cpu}, ${env.kernel}`,
    `- Node ${env.node}; DuckDB ${env.duckdb} (@duckdb/node-api ${env.duckdbNodeApi}); pandas ${env.pandas} (numpy ${env.numpy}, Python ${env.python}, ${PYTHON})`,
    `- tidyvault: ${env.tidyvault}; commit ${env.commit}`,
    `- load average at start: ${env.loadavg.join(' / ')} (1/5/15 min)`,
  ].join('\n');
}
