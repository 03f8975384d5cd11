import { currentRecipe, emptyHistory } from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { ZodApp } from '../app-types.js';
import { admit, type AdmissionOptions } from '../datasets/admission.js';
import { checkLoaded, type UploadLimits } from '../datasets/limits.js';
import type { EngineMemory } from '../datasets/memory.js';
import { datasetLoader } from '../datasets/load.js';
import { idParams, uploadResult } from '../datasets/schemas.js';
import type { DatasetStore } from '../datasets/store.js';
import { summary } from '../datasets/views.js';
import { ApiError, errorSchema } from '../errors.js';
import { SecretsError } from '../secrets/errors.js';
import type { ConnectionSummary, PostgresCredentials, SecretsStore } from '../secrets/store.js';
import { PostgresError, type PostgresReason } from './errors.js';
import { exportToPostgres } from './export.js';
import { importFromPostgres } from './import.js';
import type { UploadSlots } from '../datasets/upload-slots.js';

export interface PostgresRouteOptions {
  engine: NodeEngine;
  memory: EngineMemory;
  store: DatasetStore;
  /** The secrets store, opened with the server's secrets key; undefined: no connections. */
  secrets: SecretsStore | undefined;
  /** The upload limit also bounds an import (bytes of text in all cells). */
  maxUploadBytes: number;
  slots: UploadSlots;
  admission: AdmissionOptions;
  limits: UploadLimits;
}

/** How a connection is shown to a user who may use it: never its password, only whether it has one. */
export const connectionSchema = z.object({
  name: z.string(),
  kind: z.literal('postgres'),
  host: z.string(),
  port: z.number(),
  database: z.string(),
  sslmode: z.enum(['verify-full', 'disable']),
  /** Always null: secrets are write-only (set with `tidyvault secrets set` on the server). */
  password: z.null(),
  hasPassword: z.boolean(),
});

const importBody = z
  .strictObject({
    connection: z.string().min(1).max(64),
    table: z.string().min(1).max(300).optional(),
    query: z.string().min(1).max(100_000).optional(),
  })
  .refine((b) => (b.table === undefined) !== (b.query === undefined), {
    message: 'give exactly one of table or query',
  });

const exportBody = z.strictObject({
  connection: z.string().min(1).max(64),
  /** A new table, `name` or `schema.name`; an existing one is refused. */
  table: z.string().min(1).max(300),
});

/** A PostgresError as the API's error: the status and stable code its reason maps to. */
function apiError(e: unknown): unknown {
  if (!(e instanceof PostgresError)) return e;
  const [status, code] = STATUS[e.reason];
  return new ApiError(status, code, e.message);
}

const STATUS: Record<PostgresReason, [number, string]> = {
  TLS: [502, 'POSTGRES_TLS'],
  CONNECT: [502, 'POSTGRES_UNREACHABLE'],
  AUTH: [502, 'POSTGRES_AUTH'],
  CA_FILE: [502, 'POSTGRES_CONFIG'],
  QUERY: [400, 'POSTGRES_QUERY'],
  READ_ONLY: [400, 'POSTGRES_READ_ONLY'],
  TABLE_EXISTS: [409, 'POSTGRES_TABLE_EXISTS'],
  TIMEOUT: [504, 'POSTGRES_TIMEOUT'],
  LIMIT: [413, 'POSTGRES_TOO_LARGE'],
};

const noSuchConnection = () =>
  new ApiError(404, 'CONNECTION_NOT_FOUND', 'no such connection, or it is not open to you');

/** May `user` use this connection through the server? Only if the operator named them (or `*`). */
const allowed = (c: { settings: { serverUsers: string[] } }, user: string) =>
  c.settings.serverUsers.includes('*') || c.settings.serverUsers.includes(user);

const view = (c: ConnectionSummary) => ({
  name: c.name,
  kind: c.kind,
  host: c.settings.host,
  port: c.settings.port,
  database: c.settings.database,
  sslmode: c.settings.sslmode,
  password: null,
  hasPassword: c.hasPassword,
});

/** The connection for `user`, decrypted; a store the server cannot read is its operator's problem. */
function credentialsFor(
  secrets: SecretsStore | undefined,
  name: string,
  user: string,
  log: FastifyBaseLogger,
): PostgresCredentials {
  if (!secrets) throw noSuchConnection();
  try {
    const listed = secrets.get(name);
    if (!listed || listed.kind !== 'postgres' || !allowed(listed, user)) throw noSuchConnection();
    const c = secrets.postgres(name);
    // The decrypted record is checked again: only settings the key vouches for count.
    if (!allowed(c, user)) throw noSuchConnection();
    return c;
  } catch (e) {
    if (e instanceof SecretsError) {
      log.error({ op: 'secrets.read', reason: e.reason, connection: name }, 'a connection cannot be read');
      throw new ApiError(
        503,
        'SECRETS_UNAVAILABLE',
        "the server cannot read this connection's credentials; an administrator must check the secrets key and 'tidyvault secrets list'",
      );
    }
    throw e;
  }
}

/**
 * Routes of PostgreSQL imports. Connections are managed on the server's machine only, with
 * `tidyvault secrets` (like accounts with `tidyvault users`): there is no route that creates,
 * changes or reveals one. A connection is usable here only by the users its operator named
 * (`--server-users`), and a user sees only those.
 */
export function postgresRoutes(app: ZodApp, o: PostgresRouteOptions): void {
  app.get(
    '/api/connections',
    {
      config: { access: 'user' },
      schema: {
        summary: 'The data-source connections you may import from (never their secrets)',
        response: { 200: z.object({ connections: z.array(connectionSchema) }) },
      },
    },
    async (request) => {
      const user = request.session!.user;
      let all: ConnectionSummary[] = [];
      try {
        all = (o.secrets?.list() ?? []).filter((c): c is ConnectionSummary => c.kind === 'postgres');
      } catch (e) {
        if (!(e instanceof SecretsError)) throw e;
        request.log.error({ op: 'secrets.read', reason: e.reason }, 'the secrets store cannot be read');
      }
      return { connections: all.filter((c) => allowed(c, user)).map(view) };
    },
  );

  app.post(
    '/api/datasets/import/postgres',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Import a PostgreSQL table or read-only query into a new dataset',
        description:
          'Over TLS verify-full unless the connection says disable. A query runs in a READ ONLY transaction with a statement timeout. Columns arrive as text (PostgreSQL’s text form of each value).',
        body: importBody,
        response: {
          201: uploadResult,
          400: errorSchema,
          404: errorSchema,
          413: errorSchema,
          429: errorSchema,
          502: errorSchema,
          503: errorSchema,
          504: errorSchema,
          507: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const user = request.session!.user;
      const { connection, table, query } = request.body;
      const c = credentialsFor(o.secrets, connection, user, request.log);
      const release = o.slots.take(user, 'imports', reply);
      const started = performance.now();
      // The client leaving stops the import between fetches.
      const abort = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableEnded) abort.abort();
      };
      reply.raw.once('close', onClose);
      try {
        const { value: data, bytes: tableBytes } = await o.memory.create(() =>
          importFromPostgres(o.engine, c, table !== undefined ? { table } : { query: query! }, {
            maxColumns: o.limits.maxColumns,
            maxBytes: o.maxUploadBytes,
            signal: abort.signal,
            onWarning: () =>
              request.log.warn(
                { op: 'postgres.insecure', connection: c.name },
                'connection without TLS (sslmode=disable)',
              ),
          }),
        );
        const refuse = async (e: unknown): Promise<never> => {
          await o.memory.drop(() => o.engine.drop(data));
          throw e;
        };
        if (abort.signal.aborted) await refuse(new ApiError(400, 'UPLOAD_ABORTED', 'import aborted'));
        try {
          admit(o.admission, user, tableBytes);
        } catch (e) {
          await refuse(e);
        }
        await checkLoaded(o.engine, data, o.limits).catch(refuse);
        const name = `${c.name}: ${table ?? 'query'}`.slice(0, 255);
        const entry = o.store.add(user, name, data, emptyHistory(), tableBytes, tableBytes);
        // The connection's name and what was read (never the query's text: it can hold values).
        request.log.info(
          {
            op: 'postgres.import',
            dataset: entry.id,
            connection: c.name,
            source: table !== undefined ? 'table' : 'query',
            rows: data.rowCount,
            columns: data.columns.length,
            tableBytes,
            ms: Math.round(performance.now() - started),
          },
          'dataset imported from PostgreSQL',
        );
        return reply.code(201).send({ ...summary(o.store, entry), warnings: data.warnings });
      } catch (e) {
        throw apiError(e);
      } finally {
        reply.raw.off('close', onClose);
        release();
      }
    },
  );

  const open = datasetLoader(o.store);
  app.post(
    '/api/datasets/:id/export/postgres',
    {
      // Reads the dataset as a file export does: open to whoever may view it (a viewer too), and
      // to the users the operator named on the connection.
      config: { access: 'user', minRole: 'viewer' },
      schema: {
        summary: 'Export the dataset, after its recipe, to a NEW PostgreSQL table',
        description:
          'Over TLS verify-full unless the connection says disable. The table is created with a column per recipe column (text, double precision, bigint or date) and filled in one transaction: an existing table is refused (409) and a failure part-way leaves no table.',
        params: idParams,
        body: exportBody,
        response: {
          201: z.object({ table: z.string(), rows: z.number(), columns: z.number() }),
          400: errorSchema,
          404: errorSchema,
          409: errorSchema,
          422: errorSchema,
          502: errorSchema,
          503: errorSchema,
          504: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const user = request.session!.user;
      // The dataset first: an id that is not yours is the 404 of an unknown id, whatever the body.
      const { entry } = await open(request, request.params.id, 'export', 'view');
      const c = credentialsFor(o.secrets, request.body.connection, user, request.log);
      const started = performance.now();
      try {
        const r = await exportToPostgres(
          o.engine,
          entry.data,
          currentRecipe(entry.history),
          c,
          request.body.table,
          {
            onWarning: () =>
              request.log.warn(
                { op: 'postgres.insecure', connection: c.name },
                'connection without TLS (sslmode=disable)',
              ),
          },
        );
        request.log.info(
          {
            op: 'postgres.export',
            dataset: entry.id,
            connection: c.name,
            rows: r.rows,
            columns: r.columns.length,
            ms: Math.round(performance.now() - started),
          },
          'dataset exported to PostgreSQL',
        );
        return reply.code(201).send({ table: r.table, rows: r.rows, columns: r.columns.length });
      } catch (e) {
        throw apiError(e);
      }
    },
  );
}
