import type { FastifyInstance } from 'fastify';

/**
 * One line per request: method, route pattern (never the raw URL: it can carry the login token
 * or column names), status and milliseconds. Fastify's own request logging is off.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        op: 'http',
        method: request.method,
        route: request.routeOptions.url ?? '(unmatched)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request done',
    );
  });
}

/** Pino serializers that keep request lines to the method and route. */
export const logSerializers = {
  req: (req: { method?: string; routeOptions?: { url?: string } }) => ({
    method: req.method,
    route: req.routeOptions?.url,
  }),
};
