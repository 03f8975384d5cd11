import { findDuplicates } from '@tidyvault/engine-node';
import { optionalNumber, requireString, UsageError, type Args } from '../args.js';
import { openInput } from '../open-input.js';

const show = (v: string | null) => (v === null ? '(null)' : JSON.stringify(v));

export async function duplicates(args: Args): Promise<number> {
  const input = args.positionals[0]!;
  const columns = requireString(args, 'columns')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (columns.length === 0 || columns.length > 8) throw new UsageError('--columns takes 1 to 8 column names');
  const threshold = optionalNumber(args, 'threshold', 0.5, 1);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const cancelled = () => {
    process.stderr.write('tidyvault duplicates: cancelled\n');
    return 130; // 128 + SIGINT
  };
  let opened: Awaited<ReturnType<typeof openInput>>;
  try {
    opened = await openInput(args, input, 'comparing', controller.signal);
  } catch (e) {
    process.removeListener('SIGINT', onSigint);
    if (controller.signal.aborted) return cancelled();
    throw e;
  }
  const { engine, dataset, bar } = opened;
  try {
    const r = await findDuplicates(
      engine,
      dataset,
      { version: 1, steps: [] },
      columns,
      threshold === undefined ? {} : { threshold },
      controller.signal,
    );
    bar.done();
    if (args.values.json) {
      process.stdout.write(JSON.stringify(r) + '\n');
      return 0;
    }
    if (r.groups.length === 0) {
      process.stdout.write(
        `no duplicates among ${r.tuples} distinct combinations of ${columns.join(', ')}\n`,
      );
      return 0;
    }
    process.stdout.write(
      `${r.groups.length}${r.truncated ? '+' : ''} candidate groups among ${r.tuples} distinct combinations of ${columns.join(', ')}:\n`,
    );
    for (const g of r.groups) {
      process.stdout.write(`\n  score ${g.score.toFixed(3)}\n`);
      g.keys.forEach((k, i) =>
        process.stdout.write(`      ${String(g.counts[i]).padStart(8)}  ${k.map(show).join(' · ')}\n`),
      );
    }
    return 0;
  } catch (e) {
    if (controller.signal.aborted) return cancelled();
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
    bar.done();
    await engine.close();
  }
}
