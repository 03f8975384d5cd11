import { CLUSTER_METHODS, type ClusterMethod, type ClusterParams } from '@tidyvault/core';
import { optionalInt, optionalNumber, requireString, UsageError, type Args } from '../args.js';
import { openInput } from '../open-input.js';

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
  const { engine, dataset, bar } = await openInput(args, input, 'clustering');
  try {
    const result = await engine.cluster(dataset, column, method as ClusterMethod, params);
    bar.done();
    if (args.values.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
      return 0;
    }
    if (result.clusters.length === 0) {
      process.stdout.write(`no clusters in "${column}" with ${method}\n`);
      return 0;
    }
    process.stdout.write(`${result.clusters.length} clusters in "${column}" (${method}):\n`);
    for (const c of result.clusters) {
      process.stdout.write(`\n  → ${JSON.stringify(c.suggested)}\n`);
      for (const v of c.values)
        process.stdout.write(`      ${String(v.count).padStart(8)}  ${JSON.stringify(v.value)}\n`);
    }
    return 0;
  } finally {
    bar.done();
    await engine.close();
  }
}
