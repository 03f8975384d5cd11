import {
  CLUSTER_METHODS,
  clusterParamProblem,
  isTidyvaultError,
  type ClusterMethod,
  type ClusterParams,
} from '@tidyvault/core';
import { optionalInt, optionalNumber, requireString, UsageError, type Args } from '../args.js';
import { openInput } from '../open-input.js';
import { ProgressBar } from '../progress.js';
import { terminalText } from '../terminal-text.js';

/** The command-line flag of each clustering parameter. */
const FLAGS: Record<string, string> = {
  ngramSize: 'ngram-size',
  radius: 'radius',
  blockingNgramSize: 'blocking-ngram-size',
};

export async function cluster(args: Args): Promise<number> {
  const input = args.positionals[0]!;
  const column = requireString(args, 'column');
  const method = requireString(args, 'method');
  if (!(CLUSTER_METHODS as readonly string[]).includes(method)) {
    throw new UsageError(`--method must be one of ${CLUSTER_METHODS.join(', ')}`);
  }
  const params: NonNullable<ClusterParams> = {};
  const ngramSize = optionalInt(args, 'ngram-size', 1, 10);
  const radius = optionalNumber(args, 'radius', 0, 100);
  const blocking = optionalInt(args, 'blocking-ngram-size', 1, 20);
  if (ngramSize !== undefined) params.ngramSize = ngramSize;
  if (radius !== undefined) params.radius = radius;
  if (blocking !== undefined) params.blockingNgramSize = blocking;
  const unused = clusterParamProblem(method as ClusterMethod, params, (p) => `--${FLAGS[p] ?? p}`);
  if (unused) throw new UsageError(unused.message);
  // Ctrl+C stops the work, the load included (DuckDB's read is interrupted): the engine is
  // closed (its staging folder removed), one line is printed and the exit code is 130. Once
  // only, so a second Ctrl+C gets Node's default (exit at once).
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await run(args, input, column, method as ClusterMethod, params, controller.signal);
  } catch (e) {
    if (!(isTidyvaultError(e) && e.code === 'CANCELLED')) throw e;
    process.stderr.write('tidyvault cluster: cancelled\n');
    return 130; // 128 + SIGINT, as shells report an interrupted command
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function run(
  args: Args,
  input: string,
  column: string,
  method: ClusterMethod,
  params: NonNullable<ClusterParams>,
  signal: AbortSignal,
): Promise<number> {
  const { engine, dataset, bar } = await openInput(args, input, 'clustering', signal);
  // Nearest-neighbour methods compare values in TypeScript after DuckDB's part: a bar of its own.
  const compareBar = new ProgressBar('comparing values', bar.listener !== undefined);
  try {
    const result = await engine.cluster(dataset, column, method, params, undefined, {
      signal,
      ...(compareBar.listener ? { onProgress: compareBar.listener } : {}),
    });
    compareBar.done();
    bar.done();
    if (args.values.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
      return 0;
    }
    if (result.clusters.length === 0) {
      process.stdout.write(`no clusters in "${column}" with ${method}\n`);
      return 0;
    }
    process.stdout.write(
      `${result.clusters.length} cluster${result.clusters.length === 1 ? '' : 's'} in "${column}" (${method}):\n`,
    );
    for (const c of result.clusters) {
      process.stdout.write(`\n  → ${terminalText(c.suggested)}\n`);
      for (const v of c.values)
        process.stdout.write(`      ${String(v.count).padStart(8)}  ${terminalText(v.value)}\n`);
    }
    return 0;
  } finally {
    compareBar.done();
    bar.done();
    await engine.close();
  }
}
