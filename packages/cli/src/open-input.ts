import path from 'node:path';
import type { LoadedDataset } from '@tidyvault/core';
import { NodeEngine } from '@tidyvault/engine-node';
import type { Args } from './args.js';
import { engineOptions, importOptions } from './input-options.js';
import { ProgressBar } from './progress.js';

/** Open a sandboxed engine that may read only `input`, and load it. */
export async function openInput(
  args: Args,
  input: string,
  label: string,
): Promise<{ engine: NodeEngine; dataset: LoadedDataset; bar: ProgressBar }> {
  const bar = new ProgressBar(label, args.values.quiet !== true && process.stderr.isTTY === true);
  const inputPath = path.resolve(input);
  const engine = await NodeEngine.open({
    ...engineOptions(args, [inputPath]),
    ...(bar.listener ? { onProgress: bar.listener } : {}),
  });
  try {
    const dataset = await engine.importFile(inputPath, input, importOptions(args, 'format'));
    for (const w of dataset.warnings) process.stderr.write(`tidyvault: warning: ${input}: ${w}\n`);
    return { engine, dataset, bar };
  } catch (e) {
    bar.done();
    await engine.close();
    throw e;
  }
}
