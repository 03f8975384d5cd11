import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

/**
 * While the server stops, a request that still reaches it (pipelined, or on a kept-alive
 * connection) gets 503 `SHUTTING_DOWN` through the hooks, so with every security header and the
 * usual error shape, and its connection closed. Fastify's own 503 (`return503OnClosing`, turned
 * off for this) is written before any hook runs: no CSP, no `no-store`.
 */
export function registerClosingAnswer(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    throw new ApiError(503, 'SHUTTING_DOWN', 'the server is stopping; try again once it is back');
  });
}
