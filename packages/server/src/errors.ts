import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isOutOfMemory, isTidyvaultError, type ErrorCode } from '@tidyvault/core';
import { z } from 'zod';

/** Every error body: `{error: {code, message, step?, column?, field?, line?, setting?, limit?}}` with a stable code. */
export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    step: z.object({ index: z.number(), op: z.string() }).optional(),
    column: z.string().optional(),
    field: z.string().optional(),
    /** The line (CSV) or row of the file an upload limit was hit at. */
    line: z.number().optional(),
    /** The server setting that would allow it, and its value now. */
    setting: z.string().optional(),
    limit: z.number().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorSchema>;

/** An error whose message is safe to show the client; never logged with its message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: {
      column?: string;
      line?: number;
      setting?: string;
      limit?: number;
      field?: string;
    } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = () => new ApiError(404, 'NOT_FOUND', 'no such dataset');

const STATUS: Record<ErrorCode, number> = {
  RECIPE_INVALID: 400,
  RECIPE_COLUMN: 422,
  RECIPE_TYPE: 422,
  RECIPE_PARAM: 422,
  RECIPE_UNSUPPORTED: 422,
  IMPORT_EMPTY: 400,
  IMPORT_BINARY: 400,
  IMPORT_ENCODING: 400,
  IMPORT_FORMAT: 400,
  IMPORT_RAGGED: 400,
  IMPORT_LIMIT: 413,
  // An export over a format's limits (an Excel cell, the sheet's rows): the user picks another.
  EXPORT: 422,
  EXECUTION: 422,
  OUT_OF_MEMORY: 507,
  USAGE: 400,
  // nginx's "client closed request": nobody is left to read it, but logs say what happened.
  CANCELLED: 499,
};

/** Fastify's own 4xx errors (body parsing, limits, timeouts) under stable names. */
const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  408: 'REQUEST_TIMEOUT',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

export function toErrorBody(e: unknown): { status: number; body: ErrorBody } {
  if (e instanceof ApiError)
    return { status: e.status, body: { error: { code: e.code, message: e.message, ...e.details } } };
  if (isTidyvaultError(e)) {
    const { step, column, field } = e.location;
    return {
      status: STATUS[e.code] ?? 400,
      body: {
        error: {
          code: e.code,
          message: e.message,
          ...(step ? { step } : {}),
          ...(column !== undefined ? { column } : {}),
          ...(field !== undefined ? { field } : {}),
        },
      },
    };
  }
  const fe = e as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fe)) {
    const first = fe.validation[0];
    const path = first?.instancePath?.replace(/^\//, '').replaceAll('/', '.') ?? '';
    const where = fe.validationContext ?? 'request';
    return {
      status: 400,
      body: {
        error: {
          code: 'BAD_REQUEST',
          message: `${where}${path ? `.${path}` : ''}: ${first?.message ?? 'invalid'}`,
          ...(path ? { field: path } : {}),
        },
      },
    };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return {
      status: fe.statusCode,
      body: { error: { code: HTTP_CODES[fe.statusCode] ?? 'BAD_REQUEST', message: fe.message } },
    };
  }
  if (e instanceof Error && isOutOfMemory(e.message))
    return {
      status: 507,
      body: {
        error: {
          code: 'OUT_OF_MEMORY',
          message:
            'not enough memory to answer this on this server; undo the step that made the data larger, or ask the operator to raise --memory-limit',
        },
      },
    };
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
}

/**
 * Errors become the contract's body. Logs get the code and status only: messages can quote
 * cell values (DuckDB conversion errors) or file names.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((e, request, reply) => {
    const { status, body } = toErrorBody(e);
    if (status >= 500)
      request.log.error({ code: body.error.code, kind: (e as Error).name }, 'request failed');
    else request.log.info({ code: body.error.code, status }, 'request refused');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such route' } }),
  );
}
