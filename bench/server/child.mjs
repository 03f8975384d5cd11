// The server under test, as its own process (so its RSS and CPU are its own): what
// `tidyvault serve` runs (NodeEngine.open with its defaults, buildApp, listen on 127.0.0.1),
// with a random key instead of $TIDYVAULT_HOME's and login tokens handed to the parent over IPC
// (never printed), so the parent can open as many sessions as it needs.
//
// Usage (by bench/server.mjs): fork('bench/server/child.mjs', [--max-concurrent-uploads N]
//   [--tree DIR]); --tree runs the server built in another checkout (bench/server/snapshot.sh)
//   instead of this repository's packages.
// IPC: → {type:'ready', url}; ← {type:'token'} → {type:'token', token}.
// Logs: tidyvault's JSON request lines go to this process's stderr (the parent discards them).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const maxConcurrentUploads = opt('--max-concurrent-uploads');
const threads = opt('--threads');
const memoryLimit = opt('--memory-limit');
const tree = opt('--tree');
const from = (pkg) =>
  tree ? pathToFileURL(path.resolve(tree, 'packages', pkg, 'dist/index.js')).href : `@tidyvault/${pkg}`;
const { NodeEngine } = await import(from('engine-node'));
const { buildApp, listen } = await import(from('server'));

const engine = await NodeEngine.open({
  // As serve does; TV_NO_COMPRESS=1 measures the server without it.
  compressTables: process.env.TV_NO_COMPRESS !== '1',
  ...(memoryLimit ? { memoryLimit } : {}),
  ...(threads ? { threads: Number(threads) } : {}),
});
const t = await buildApp({
  engine,
  secretKey: randomBytes(32),
  logStream: process.stderr,
  ...(maxConcurrentUploads
    ? { maxConcurrentUploads: Number(maxConcurrentUploads), maxUploadsPerUser: Number(maxConcurrentUploads) }
    : {}),
});
const { url } = await listen(t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });

process.on('message', (m) => {
  if (m?.type === 'token') process.send({ type: 'token', token: t.issueLoginToken() });
});
process.on('disconnect', async () => {
  await t.app.close();
  await engine.close();
  process.exit(0);
});
process.send({ type: 'ready', url });
