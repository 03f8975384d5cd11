import { parseRecipe, type LoadedDataset } from '@tidyvault/core';
import { findDuplicates, type NodeEngine } from '@tidyvault/engine-node';
import { facet } from '../packages/server/src/datasets/facet.js';
import { histogram } from '../packages/server/src/datasets/histogram.js';
import { describe as describeError } from '../packages/engine-wasm/test-page/capture.js';
import type { Method, Outcome } from '../packages/engine-wasm/test-page/main.js';

/** An answer or the error it gave, described as the wasm test page describes its own. */
export const outcome = async <T>(work: () => Promise<T>): Promise<Outcome<T>> => {
  try {
    return { value: await work() };
  } catch (e) {
    return { error: describeError(e)! };
  }
};

export const recipeOf = (r: unknown) => parseRecipe(r ?? { version: 1, steps: [] });

/** The workbench calls both engine tests compare the same way. */
export type WorkbenchMethod = Extract<Method, 'profile' | 'facet' | 'histogram' | 'cluster' | 'duplicates'>;

export const isWorkbenchMethod = (m: Method): m is WorkbenchMethod =>
  ['profile', 'facet', 'histogram', 'cluster', 'duplicates'].includes(m);

/**
 * What engine-node (or the server code that runs on it) answers to one of the test page's
 * workbench calls (`window.tidyvaultTest.call`), with the same arguments.
 */
export function workbenchAnswer(
  node: NodeEngine,
  ds: LoadedDataset,
  method: WorkbenchMethod,
  args: unknown[],
): Promise<unknown> {
  switch (method) {
    case 'profile':
      return node.profile(
        ds,
        recipeOf(args[0]),
        args[1] as number | undefined,
        args[2] === undefined ? {} : { columns: args[2] as string[] },
      );
    case 'facet':
      return facet(node, ds, recipeOf(args[0]), args[1] as string, args[2] as number);
    case 'histogram':
      return histogram(
        node,
        ds,
        recipeOf(args[0]),
        args[1] as string,
        args[2] as number,
        args[3] as 'value' | 'length' | undefined,
      );
    case 'cluster': {
      let progress: number | undefined;
      return node
        .cluster(
          ds,
          args[0] as string,
          args[1] as Parameters<NodeEngine['cluster']>[2],
          args[2] as Parameters<NodeEngine['cluster']>[3],
          recipeOf(args[3]),
          { onProgress: (p) => (progress = p) },
        )
        .then((result) => ({ result, progress }));
    }
    case 'duplicates':
      return findDuplicates(
        node,
        ds,
        recipeOf(args[0]),
        args[1] as string[],
        args[2] as Parameters<typeof findDuplicates>[4],
        new AbortController().signal,
      );
  }
}
