import { TidyvaultError, currentRecipe } from '@tidyvault/core';
import { findDuplicates, type NodeEngine } from '@tidyvault/engine-node';
import { z } from 'zod';
import type { ZodApp } from '../app-types.js';
import { errorSchema } from '../errors.js';
import { datasetLoader } from './load.js';
import type { DatasetStore } from './store.js';

export function duplicatesRoute(app: ZodApp, o: { engine: NodeEngine; store: DatasetStore }): void {
  const open = datasetLoader(o.store);
  app.post(
    '/api/datasets/:id/duplicates',
    {
      // A POST that only reads: viewers may look for duplicates.
      config: { access: 'user', minRole: 'viewer' },
      schema: {
        summary:
          'Candidate groups of fuzzy-duplicate rows over some text columns, with a similarity score, for review (confirmed groups become a dedupe-groups step)',
        params: z.object({ id: z.string().max(100) }),
        body: z.strictObject({
          columns: z.array(z.string().min(1)).min(1).max(8),
          threshold: z.number().min(0.5).max(1).optional(),
          blockingNgramSize: z.number().int().min(1).max(10).optional(),
        }),
        response: { 200: z.unknown(), 400: errorSchema, 404: errorSchema, 422: errorSchema },
      },
    },
    async (request, reply) => {
      const controller = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) controller.abort();
      };
      reply.raw.once('close', onClose);
      try {
        const { entry: e } = await open(request, request.params.id, 'duplicates');
        const { columns, threshold, blockingNgramSize } = request.body;
        if (new Set(columns).size !== columns.length)
          throw new TidyvaultError('RECIPE_PARAM', 'a column is listed twice');
        return await e.states.read(currentRecipe(e.history), (v) =>
          findDuplicates(
            o.engine,
            v.data,
            v.recipe,
            columns,
            {
              ...(threshold !== undefined ? { threshold } : {}),
              ...(blockingNgramSize !== undefined ? { blockingNgramSize } : {}),
            },
            controller.signal,
          ),
        );
      } catch (err) {
        // The client went away (the kNN-like search can take seconds): one error the log can name.
        if (controller.signal.aborted && !(err instanceof TidyvaultError))
          throw new TidyvaultError('CANCELLED', 'cancelled');
        throw err;
      } finally {
        reply.raw.removeListener('close', onClose);
      }
    },
  );
}
