import path from 'node:path';
import { TidyvaultError, type LoadedDataset } from '@tidyvault/core';
import { NodeEngine } from '@tidyvault/engine-node';
import type { Args } from './args.js';
import { engineOptions, importOptions } from './input-options.js';
import { ProgressBar } from './progress.js';

/**
 * Open a sandboxed engine that may read only `input`, and load it. `signal` (Ctrl+C) stops the
 * load: DuckDB's read is interrupted and the promise rejects with a CANCELLED error.
 */
export async function openInput(
  args: Args,
  input: string,
  label: string,
  signal?: AbortSignal,
): Promise<{ engine: NodeEngine; dataset: LoadedDataset; bar: ProgressBar }> {
  const bar = new ProgressBar(label, args.values.quiet !== true && process.stderr.isTTY === true);
  const inputPath = path.resolve(input);
  const engine = await NodeEngine.open({
    ...engineOptions(args, [inputPath]),
    ...(bar.listener ? { onProgress: bar.listener } : {}),
  });
  const stop = () => engine.interrupt();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    if (signal?.aborted) throw cancelledLoading(input);
    const dataset = await engine
      .importFile(inputPath, input, importOptions(args, 'format'))
      .catch((e: unknown) => {
        throw signal?.aborted ? cancelledLoading(input) : e;
      });
    for (const w of dataset.warnings) process.stderr.write(`tidyvault: warning: ${input}: ${w}\n`);
    return { engine, dataset, bar };
  } catch (e) {
    bar.done();
    await engine.close();
    throw e;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

const cancelledLoading = (input: string) =>
  new TidyvaultError('CANCELLED', `${input}: cancelled while loading`, { file: input });
