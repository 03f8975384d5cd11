import type { FastifyInstance } from 'fastify';

/**
 * A request body other than a multipart upload (whose pace is watched on its own, see
 * datasets/pace-watch.ts) must have arrived within `ms`: JSON bodies are at most 1 MiB, and a
 * client trickling one (a sign-in, with no account needed) would otherwise hold its socket for the
 * whole request timeout, which is long for uploads. Past it: 408 REQUEST_TIMEOUT, and the
 * connection is closed (the body is left unread).
 */
export function registerBodyDeadline(app: FastifyInstance, ms: number): void {
  app.addHook('preParsing', async (request, reply, payload) => {
    const type = request.headers['content-type'] ?? '';
    if (request.raw.complete || /^multipart\//i.test(type)) return payload;
    const timer = setTimeout(() => {
      // Only while the body is still being read (someone listens for its errors).
      if (request.raw.complete || payload.listenerCount('error') === 0) return;
      payload.emit(
        'error',
        Object.assign(new Error(`the request body did not arrive within ${Math.round(ms / 1000)} s`), {
          statusCode: 408,
          code: 'REQUEST_TIMEOUT',
        }),
      );
    }, ms);
    const stop = () => clearTimeout(timer);
    payload.once('end', stop);
    payload.once('error', stop);
    payload.once('close', stop);
    reply.raw.once('close', stop);
    return payload;
  });
}
