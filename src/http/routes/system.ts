// The routes about the daemon rather than the player: /healthz (the only
// one without a token, for balena's and systemd's health checks), /metrics
// and the OpenAPI document.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { HttpDeps } from '../deps';
import { API, bearer, HealthReply, withErrors } from '../schemas';

export const systemRoutes: FastifyPluginAsync<{ deps: HttpDeps }> = async (app, { deps }) => {
  app.get('/healthz', {
    config: { op: 'healthz', public: true },
    schema: { summary: 'Liveness: ok while the daemon can serve', tags: ['system'], security: [], response: withErrors({ 200: HealthReply }) },
    // "degraded": the daemon serves and plays, but something an admin should fix keeps it from saving or the like.
    handler: async () => (deps.health && deps.health.status !== 'ok' ? { status: deps.health.status, reasons: deps.health.list() } : { status: 'ok' as const }),
  });

  app.get('/metrics', {
    config: { op: 'metrics' },
    schema: {
      summary: 'Prometheus metrics: state, last code, codes, reconnects, netstatus, HTTP durations',
      tags: ['system'],
      security: bearer,
      produces: ['text/plain'],
      response: withErrors({ 200: Type.String() }),
    },
    handler: async (req, reply) => {
      void reply.type(deps.metrics.contentType);
      return deps.metrics.text();
    },
  });

  app.get(`${API}/openapi.json`, {
    config: { op: 'openapi' },
    schema: { summary: 'This document', tags: ['system'], security: bearer },
    handler: async () => app.swagger(),
  });
};
