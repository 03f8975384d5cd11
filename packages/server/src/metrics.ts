import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodApp } from './app-types.js';
import type { NodeEngine } from '@tidyvault/engine-node';

/**
 * Counters for an operator's monitoring (SECURITY-CONTROLS 44), in Prometheus' text format.
 * Labels are HTTP statuses and route patterns only (`/api/datasets/:id/rows`): never a user,
 * a dataset id or name, or a value.
 */
export class Metrics {
  private readonly responses = new Map<string, number>();
  failedLogins = 0;
  readonly started = Date.now();

  countResponse(route: string, status: number): void {
    const key = `${route}\u0000${status}`;
    this.responses.set(key, (this.responses.get(key) ?? 0) + 1);
  }

  lines(): string[] {
    const out = [
      '# HELP tidyvault_http_responses_total HTTP responses by route pattern and status.',
      '# TYPE tidyvault_http_responses_total counter',
    ];
    for (const [key, count] of [...this.responses].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [route, status] = key.split('\u0000');
      out.push(`tidyvault_http_responses_total{route=${label(route!)},status="${status}"} ${count}`);
    }
    out.push(
      '# HELP tidyvault_auth_failed_total Sign-ins (and re-authentications) refused for a wrong name or password.',
      '# TYPE tidyvault_auth_failed_total counter',
      `tidyvault_auth_failed_total ${this.failedLogins}`,
    );
    return out;
  }
}

const label = (v: string) => JSON.stringify(v);

/** Routes that check a password: a 401 from one is a refused sign-in. */
const SIGN_INS = new Set(['/api/auth/login', '/api/auth/reauth']);

/** Counts every answer; a matched route is named by its pattern, anything else as `unmatched`. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.countResponse(route, reply.statusCode);
    if (SIGN_INS.has(route) && reply.statusCode === 401) metrics.failedLogins++;
  });
}

/** `GET /api/metrics`: administrators only (the one user in single-user mode). */
export function metricsRoute(
  app: ZodApp,
  o: { metrics: Metrics; engine: NodeEngine; datasets: () => number },
): void {
  app.get(
    '/api/metrics',
    {
      config: { access: 'user', minRole: 'admin' },
      schema: {
        summary:
          'Counters for monitoring, in Prometheus text format: responses by route pattern and status, refused sign-ins, datasets held, DuckDB memory and process memory. No user, dataset or value is named',
        response: { 200: z.string() },
      },
    },
    async (_request, reply) => {
      const usage = await o.engine.memoryUsage();
      const memory = usage.reduce((n, u) => n + u.memoryBytes, 0);
      const spilled = usage.reduce((n, u) => n + u.temporaryBytes, 0);
      const lines = [
        ...o.metrics.lines(),
        '# HELP tidyvault_datasets Datasets held in memory.',
        '# TYPE tidyvault_datasets gauge',
        `tidyvault_datasets ${o.datasets()}`,
        '# HELP tidyvault_duckdb_memory_bytes Bytes DuckDB holds in memory.',
        '# TYPE tidyvault_duckdb_memory_bytes gauge',
        `tidyvault_duckdb_memory_bytes ${memory}`,
        '# HELP tidyvault_duckdb_spilled_bytes Bytes DuckDB has spilled to its temporary folder.',
        '# TYPE tidyvault_duckdb_spilled_bytes gauge',
        `tidyvault_duckdb_spilled_bytes ${spilled}`,
        '# HELP process_resident_memory_bytes Resident memory of the server process.',
        '# TYPE process_resident_memory_bytes gauge',
        `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
        '# HELP process_start_time_seconds When the server started (Unix time).',
        '# TYPE process_start_time_seconds gauge',
        `process_start_time_seconds ${Math.floor(o.metrics.started / 1000)}`,
      ];
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(`${lines.join('\n')}\n`);
    },
  );
}
