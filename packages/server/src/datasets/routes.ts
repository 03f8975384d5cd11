import fs from 'node:fs';
import path from 'node:path';
import {
  addStep,
  analyzeRecipe,
  CLUSTER_METHODS,
  clusterParamProblem,
  currentRecipe,
  replaceRecipe,
  parseRecipe,
  parseStep,
  redo,
  undo,
  type History,
} from '@tidyvault/core';
import { OUTPUT_FORMATS, type NodeEngine } from '@tidyvault/engine-node';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodApp } from '../app-types.js';
import { ApiError, errorSchema, notFound } from '../errors.js';
import type { DatasetAction } from './acl.js';
import { facet } from './facet.js';
import { histogram } from './histogram.js';
import { datasetLoader } from './load.js';
import type { EngineMemory } from './memory.js';
import {
  cellSchema,
  columnSchema,
  datasetDetail,
  datasetSummary,
  historyState,
  idParams,
  locationView,
  recipeBody,
  stepBody,
} from './schemas.js';
import type { DatasetEntry, DatasetStore } from './store.js';
import { checkValues } from './value-checks.js';
import { parseViewFilter, validateViewFilter, whereQuery, withFilter } from './view-filter.js';
import { historyView, location, summary } from './views.js';

const MAX_PAGE = 10_000;
const MAX_FACET = 1_000;

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** RFC 6266: an ASCII fallback plus the UTF-8 name; nothing that could break the header. */
export function contentDisposition(name: string, ext: string): string {
  const stem = path.parse(name).name || 'dataset';
  const file = `${stem}-clean.${ext}`;
  const ascii = file.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${rfc5987(file)}`;
}

/** RFC 5987's attr-chars: encodeURIComponent leaves ' ( ) *, which it does not allow. */
const rfc5987 = (s: string) =>
  encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const notFoundResponse = { 404: errorSchema };
const stepErrors = { 400: errorSchema, 404: errorSchema, 422: errorSchema };

export function datasetRoutes(
  app: ZodApp,
  o: { engine: NodeEngine; store: DatasetStore; memory: EngineMemory; spillDirectory: string },
): void {
  const { engine, store } = o;
  const open = datasetLoader(store);
  /** The dataset, if the signed-in user may do `action` to it (404 or 403 otherwise; see acl.ts). */
  const load = async (
    id: string,
    request: FastifyRequest,
    op: string,
    action: DatasetAction = 'view',
  ): Promise<DatasetEntry> => (await open(request, id, op, action)).entry;
  const user = (r: FastifyRequest) => r;

  /** Validate the changed history's recipe against the data; only then make it current. */
  const commit = (e: DatasetEntry, change: (h: History) => History) =>
    store.change(e, async () => {
      const next = change(e.history);
      await engine.validate(e.data, currentRecipe(next));
      await checkValues(engine, e.states, currentRecipe(e.history), currentRecipe(next));
      e.history = next;
      e.states.retain(currentRecipe(next));
      return historyView(e);
    });

  app.get(
    '/api/datasets',
    {
      config: { access: 'user' },
      schema: {
        summary:
          'Your datasets and those shared with you (`owner`, and your `access`: owner, editor or viewer)',
        response: { 200: z.object({ datasets: z.array(datasetSummary) }) },
      },
    },
    async (request) => ({
      datasets: store
        .list(request.session!.user, request.role ?? 'viewer')
        .map(({ entry, access }) => summary(store, entry, access)),
    }),
  );

  app.get(
    '/api/datasets/:id',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Metadata, recipe and history cursor',
        params: idParams,
        response: { 200: datasetDetail, ...notFoundResponse },
      },
    },
    async (request) => {
      const { entry: e, access } = await open(request, request.params.id, 'read');
      return { ...summary(store, e, access), history: historyView(e) };
    },
  );

  app.get(
    '/api/datasets/:id/rows',
    {
      config: { access: 'user' },
      schema: {
        summary:
          'A page of rows under the current recipe (or its first `step` steps), optionally filtered by `where`',
        params: idParams,
        querystring: z.object({
          offset: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(0).max(MAX_PAGE).default(100),
          step: z.coerce.number().int().min(0).optional(),
          where: whereQuery,
          total: z
            .enum(['wait', 'later'])
            .default('wait')
            .describe(
              '`later`: when the total needs counting (rows of a dedupe or a filter whose recipe state is still being made), answer the rows at once with `total: null`; ask with `limit=0` for the total',
            ),
        }),
        response: {
          200: z.object({
            offset: z.number(),
            limit: z.number(),
            /**
             * Rows under the recipe (or its first `step` steps), and the `where` filter; null only
             * when asked with `total=later` (limit=0 then waits for it).
             */
            total: z.number().nullable(),
            columns: z.array(columnSchema),
            rows: z.array(z.array(cellSchema)),
          }),
          ...stepErrors,
        },
      },
    },
    async (request) => {
      const { offset, limit, step, where, total: when } = request.query;
      const filter = parseViewFilter(where);
      const e = await load(request.params.id, user(request), 'rows');
      const all = currentRecipe(e.history);
      if (step !== undefined && step > all.steps.length)
        throw new ApiError(
          400,
          'BAD_REQUEST',
          `querystring.step: the recipe has ${all.steps.length} step${all.steps.length === 1 ? '' : 's'}; step must be 0–${all.steps.length}`,
          { field: 'step' },
        );
      const recipe = step === undefined ? all : { ...all, steps: all.steps.slice(0, step) };
      await validateViewFilter(engine, e.data, recipe, filter);
      // The filter runs after the recipe (on its state once made), never recorded.
      if (limit === 0) {
        const schemas = analyzeRecipe(withFilter(recipe, filter), e.data.columns).schemas;
        const total = await e.states.total(recipe, filter);
        return { offset, limit, total, columns: schemas[schemas.length - 1]!, rows: [] };
      }
      const { total, columns, rows } = await e.states.page(recipe, offset, limit, filter, {
        totalLater: when === 'later',
      });
      return { offset, limit, total, columns, rows };
    },
  );

  app.get(
    '/api/datasets/:id/profile',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Column profile under the current recipe',
        params: idParams,
        response: { 200: z.unknown(), ...stepErrors },
      },
    },
    async (request) => {
      const e = await load(request.params.id, user(request), 'profile');
      const recipe = currentRecipe(e.history);
      return e.profiles.get(recipe, (columns) =>
        e.states.readSoon(recipe, (v) => engine.profile(v.data, v.recipe, 10, { columns })),
      );
    },
  );

  app.get(
    '/api/datasets/:id/facet',
    {
      config: { access: 'user' },
      schema: {
        summary:
          'Value counts of one column under the current recipe (and `where`, e.g. the other facets), most frequent first',
        params: idParams,
        querystring: z.object({
          column: z.string().min(1),
          limit: z.coerce.number().int().min(1).max(MAX_FACET).default(200),
          where: whereQuery,
        }),
        response: {
          200: z.object({
            column: z.string(),
            values: z.array(z.object({ value: z.string().nullable(), count: z.number() })),
            truncated: z.boolean(),
          }),
          ...stepErrors,
        },
      },
    },
    async (request) => {
      const { column, limit, where } = request.query;
      const filter = parseViewFilter(where);
      const e = await load(request.params.id, user(request), 'facet');
      const recipe = currentRecipe(e.history);
      await validateViewFilter(engine, e.data, recipe, filter);
      // One facet per column, filter and state, at the largest limit; smaller limits are its head.
      const key = `facet:${JSON.stringify(column)}${filter ? `:where:${JSON.stringify(filter.where)}` : ''}`;
      const all = await e.states.read(recipe, (v) =>
        v.memo(key, () => facet(engine, v.data, withFilter(v.recipe, filter), column, MAX_FACET)),
      );
      return {
        column: all.column,
        values: all.values.slice(0, limit),
        truncated: all.truncated || all.values.length > limit,
      };
    },
  );

  app.get(
    '/api/datasets/:id/histogram',
    {
      config: { access: 'user' },
      schema: {
        summary:
          'Equal-width histogram under the current recipe (and `where`) of a number column (the numeric facet), or with `of=length` of any column’s value lengths in characters',
        params: idParams,
        querystring: z.object({
          column: z.string().min(1),
          bins: z.coerce.number().int().min(1).max(200).default(30),
          of: z.enum(['value', 'length']).default('value'),
          where: whereQuery,
        }),
        response: {
          200: z.object({
            column: z.string(),
            min: z.number().nullable(),
            max: z.number().nullable(),
            bins: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
            missing: z.number(),
          }),
          ...stepErrors,
        },
      },
    },
    async (request) => {
      const { column, bins, of, where } = request.query;
      const filter = parseViewFilter(where);
      const e = await load(request.params.id, user(request), 'histogram');
      const recipe = currentRecipe(e.history);
      await validateViewFilter(engine, e.data, recipe, filter);
      const key = `histogram:${of}:${bins}:${JSON.stringify(column)}${filter ? `:where:${JSON.stringify(filter.where)}` : ''}`;
      return e.states.read(recipe, (v) =>
        v.memo(key, () => histogram(engine, v.data, withFilter(v.recipe, filter), column, bins, of)),
      );
    },
  );

  app.post(
    '/api/datasets/:id/cluster',
    {
      // A POST that only reads: viewers may cluster (and so see what a merge would do).
      config: { access: 'user', minRole: 'viewer' },
      schema: {
        summary: 'Clusters of near-duplicate values in one column (OpenRefine methods); reads only',
        params: idParams,
        body: z.object({
          column: z.string().min(1),
          method: z.enum(CLUSTER_METHODS),
          params: z
            .strictObject({
              ngramSize: z.number().int().min(1).max(10).optional(),
              radius: z.number().min(0).max(100).optional(),
              blockingNgramSize: z.number().int().min(1).max(20).optional(),
            })
            .optional(),
        }),
        response: { 200: z.unknown(), ...stepErrors },
      },
    },
    async (request, reply) => {
      // A client that goes away stops the kNN work (levenshtein, ppm can take many seconds).
      // The response's close, not the request's: Node closes a request once its body is read.
      const controller = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) controller.abort();
      };
      reply.raw.once('close', onClose);
      try {
        const { column, method, params } = request.body;
        const unused = clusterParamProblem(method, params);
        if (unused) throw new ApiError(400, 'BAD_REQUEST', unused.message, { field: unused.field });
        const e = await load(request.params.id, user(request), 'cluster');
        return await e.states.read(currentRecipe(e.history), (v) =>
          engine.cluster(v.data, column, method, params ?? {}, v.recipe, { signal: controller.signal }),
        );
      } finally {
        reply.raw.removeListener('close', onClose);
      }
    },
  );

  app.post(
    '/api/datasets/:id/steps',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Append a step (checked against the data first; on failure nothing changes)',
        params: idParams,
        body: stepBody,
        response: { 200: historyState, ...stepErrors },
      },
    },
    async (request) => {
      const e = await load(request.params.id, user(request), 'step', 'edit');
      const step = parseStep(request.body.step, currentRecipe(e.history).steps.length);
      return commit(e, (h) => addStep(h, step));
    },
  );

  for (const [route, move] of [
    ['undo', undo],
    ['redo', redo],
  ] as const) {
    app.post(
      `/api/datasets/:id/${route}`,
      {
        config: { access: 'user' },
        schema: {
          summary: `${route === 'undo' ? 'Undo' : 'Redo'} one step`,
          params: idParams,
          response: { 200: historyState, ...stepErrors },
        },
      },
      async (request) => {
        const e = await load(request.params.id, user(request), route, 'edit');
        return commit(e, move);
      },
    );
  }

  app.put(
    '/api/datasets/:id/recipe',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Replace the whole recipe (checked first; redo is cleared)',
        params: idParams,
        body: recipeBody,
        response: { 200: historyState, ...stepErrors },
      },
    },
    async (request) => {
      const recipe = parseRecipe(request.body.recipe);
      const e = await load(request.params.id, user(request), 'recipe.replace', 'edit');
      return commit(e, (h) => replaceRecipe(h, recipe));
    },
  );

  app.get(
    '/api/datasets/:id/recipe',
    {
      config: { access: 'user' },
      schema: {
        summary: 'The current recipe (recipe v1 JSON)',
        params: idParams,
        response: { 200: z.unknown(), ...notFoundResponse },
      },
    },
    async (request) => currentRecipe((await load(request.params.id, user(request), 'recipe.read')).history),
  );

  const exportFormat = z.enum(OUTPUT_FORMATS as [string, ...string[]]).default('csv');
  const exportQuery = z.object({
    format: exportFormat,
    formulaGuard: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
  });
  type ExportFormat = (typeof OUTPUT_FORMATS)[number];

  /**
   * The recipe's output built into a new staging file (gone again if the build fails), or
   * undefined when the client left meanwhile: an XLSX build stops (its rows are written in
   * JavaScript, for seconds), and what was staged goes.
   */
  const buildExport = async (
    request: FastifyRequest,
    reply: FastifyReply,
    e: DatasetEntry,
    format: ExportFormat,
    formulaGuard: boolean,
  ): Promise<string | undefined> => {
    const started = performance.now();
    const file = engine.staging.file(`.${format}`);
    // The response's close, not the request's: Node closes a request once its body is read.
    const left = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) left.abort();
    };
    reply.raw.once('close', onClose);
    try {
      await engine.export(e.data, currentRecipe(e.history), file, {
        format,
        formulaGuard,
        signal: left.signal,
      });
    } catch (err) {
      fs.rmSync(file, { force: true });
      throw err;
    } finally {
      reply.raw.off('close', onClose);
    }
    if (left.signal.aborted) {
      fs.rmSync(file, { force: true });
      return undefined;
    }
    request.log.info(
      { op: 'dataset.export', dataset: e.id, format, ms: Math.round(performance.now() - started) },
      'export ready',
    );
    return file;
  };

  /** Stream a built export: its name goes at once, the open stream keeps the bytes until sent. */
  const sendExport = async (reply: FastifyReply, e: DatasetEntry, file: string, format: string) => {
    const stream = fs.createReadStream(file);
    try {
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', reject);
      });
    } finally {
      fs.rmSync(file, { force: true });
    }
    reply.header('content-type', CONTENT_TYPES[format] ?? 'application/octet-stream');
    reply.header('content-disposition', contentDisposition(e.name, format));
    return reply.send(stream);
  };

  app.get(
    '/api/datasets/:id/export',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Download the cleaned data; text cells starting = + - @ TAB CR get a leading apostrophe',
        params: idParams,
        querystring: exportQuery,
        response: { 200: z.unknown(), ...stepErrors },
      },
    },
    async (request, reply) => {
      const { format, formulaGuard } = request.query;
      const e = await load(request.params.id, user(request), 'export');
      const file = await buildExport(request, reply, e, format as ExportFormat, formulaGuard);
      return file === undefined ? reply : sendExport(reply, e, file, format);
    },
  );

  app.post(
    '/api/datasets/:id/exports',
    {
      config: { access: 'user', minRole: 'viewer' },
      schema: {
        summary:
          'Build the cleaned data for one download (the web workbench: an error is answered here, before any download starts); `href` serves it once, for a minute',
        params: idParams,
        body: z.object({ format: exportFormat, formulaGuard: z.boolean().default(true) }),
        response: {
          201: z.object({ href: z.string(), bytes: z.number().int(), expiresAt: z.string() }),
          ...stepErrors,
        },
      },
    },
    async (request, reply) => {
      const { format, formulaGuard } = request.body;
      const e = await load(request.params.id, user(request), 'export');
      const file = await buildExport(request, reply, e, format as ExportFormat, formulaGuard);
      if (file === undefined) return reply;
      const held = e.exports.hold(request.session!.user, file, format);
      // Purged while it was built: the file is gone with it.
      if (!held) throw notFound();
      return reply.code(201).send({
        href: `/api/datasets/${e.id}/exports/${held.ticket}`,
        bytes: held.bytes,
        expiresAt: new Date(held.until).toISOString(),
      });
    },
  );

  app.get(
    '/api/datasets/:id/exports/:ticket',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Download an export prepared by POST /exports, once, by the user who prepared it',
        params: idParams.extend({ ticket: z.string().max(64) }),
        response: { 200: z.unknown(), 400: errorSchema, ...notFoundResponse },
      },
    },
    async (request, reply) => {
      const e = await load(request.params.id, user(request), 'export');
      const held = e.exports.take(request.params.ticket, request.session!.user);
      if (!held)
        throw new ApiError(
          404,
          'EXPORT_NOT_FOUND',
          'no such export: a prepared export is downloaded once, by whoever prepared it, within a minute',
        );
      return sendExport(reply, e, held.file, held.format);
    },
  );

  app.get(
    '/api/datasets/:id/location',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Where the bytes are, until when, and who accessed them',
        params: idParams,
        response: { 200: locationView, ...notFoundResponse },
      },
    },
    async (request) => {
      const e = await load(request.params.id, user(request), 'location');
      // States being made are about to hold bytes too: the answer counts them once made.
      await e.states.settled();
      return location(store, e, { memory: o.memory, engine, spillDirectory: o.spillDirectory });
    },
  );

  app.delete(
    '/api/datasets/:id',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Purge the dataset now',
        params: idParams,
        response: { 204: z.unknown(), ...notFoundResponse },
      },
    },
    async (request, reply) => {
      const e = await load(request.params.id, user(request), 'delete', 'manage');
      await store.purge(e);
      request.log.info({ op: 'dataset.purge', dataset: e.id, reason: 'delete' }, 'dataset purged');
      return reply.code(204).send();
    },
  );
}
