// The HTTP control surface. buildApp() wires the guards, the one error
// handler, the OpenAPI generator and the route files; it never listens (the
// daemon calls listen(), tests use inject() or listen on 127.0.0.1).
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { operationId } from './operation-ids';
import { PlayerError } from '../player/errors';
import { FailureLimiter } from './auth';
import { EdgeError, errorHandler, methodOf, type RouteMeta } from './errors';
import { checkOrigin, createHostGuard } from './guards';
import { eventRoutes } from './routes/events';
import { pairingRoutes } from './routes/pairing';
import { playerRoutes } from './routes/player';
import { snapshotRoutes } from './routes/snapshots';
import { systemRoutes } from './routes/system';
import { API } from './schemas';
import { SseHub, type SseOptions } from './sse';
import type { HttpDeps } from './deps';
import { FloodLog } from './flood-log';

export { API };
export type { HttpDeps, Pairing } from './deps';

/** Tuning for tests and benchmarks; the daemon passes nothing. */
export interface HttpOptions {
  sse?: SseOptions;
  /** Failed authentications per client address and window before 429 (default 10 per minute). */
  authFailures?: { max: number; windowMs: number };
  /** Largest request body in bytes (default 16 KiB). */
  bodyLimit?: number;
  /** Interval of the once-per-interval lines about floods (default 60 s). */
  floodLogMs?: number;
}

/** Builds the app for `deps`; called by the daemon and by the tests. */
export function buildApp(deps: HttpDeps, opts: HttpOptions = {}): FastifyInstance {
  const log = deps.log.child({ module: 'http' });
  const app = Fastify({
    // fastify's logger type is narrower than pino's; the instance is the same.
    loggerInstance: log as FastifyBaseLogger,
    // Per-request lines are written at debug below, without headers (the token travels in one).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 16 * 1024,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    exposeHeadRoutes: false,
    trustProxy: false,
    // Slow senders (slowloris from a phone) get 10 s to deliver a request.
    requestTimeout: 10_000,
    // A bad value is refused, never coerced or silently removed.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true } },
  });

  // JSON only; an empty body (curl -X POST with a JSON content type) counts as no body.
  app.removeAllContentTypeParsers();
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    json(req, text, done);
  });

  const hostAllowed = createHostGuard({ allowedHosts: deps.config.allowedHosts ?? [] });
  const failures = new FailureLimiter({ max: opts.authFailures?.max ?? 10, windowMs: opts.authFailures?.windowMs ?? 60_000 });
  const authFlood = new FloodLog(log, 'warn', 'authentication failed', opts.floodLogMs);
  app.addHook('onClose', async () => authFlood.close());
  app.addHook('onRequest', async (req) => {
    const method = methodOf(req);
    if (!hostAllowed(req.headers.host)) throw new EdgeError('Forbidden', method, 'host not allowed');
    if ((req.routeOptions.config as RouteMeta | undefined)?.public) return;
    if (checkOrigin(req.headers) !== 'ok') throw new EdgeError('Forbidden', method, 'cross-origin request');
    // A valid token or phone cookie always passes: the limit is there to stop
    // guessing, and must not let a neighbour's bad guesses (same NAT address)
    // lock the teacher out. A 256-bit secret cannot be found by guessing anyway.
    if (deps.auth.verifyRequest(req)) return;
    if (failures.blocked(req.ip)) throw new EdgeError('RateLimited', method);
    failures.fail(req.ip);
    authFlood.note({ ip: req.ip, route: req.routeOptions.url ?? 'unmatched' });
    throw new EdgeError('Unauthorized', method);
  });
  // No answer of this API is meant to be sniffed into HTML or script by a browser.
  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    deps.metrics.observeRequest(route, req.method, reply.statusCode, reply.elapsedTime / 1000);
    log.debug({ method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
  });
  // A route with a body schema and no body gets {} so "no arguments" validates like "{}".
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined && req.routeOptions.schema?.body) req.body = {};
  });
  app.setErrorHandler(errorHandler(log));
  app.setNotFoundHandler(() => {
    throw new PlayerError('NotFound', 'request');
  });

  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'liveplayerd', version: '1', description: 'Control a live-stream player the way a mini-program controls <live-player>.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
    },
    transform: ({ schema, url, route }) => ({ schema: { ...(schema ?? {}), operationId: operationId(String(route.method), url) } as typeof schema, url }),
    // Every body here may be left out ("no arguments"); the plugin would mark them all required.
    transformObject: (doc) => {
      const openapi = 'openapiObject' in doc ? doc.openapiObject : doc.swaggerObject;
      for (const ops of Object.values(openapi.paths ?? {})) {
        for (const op of Object.values(ops as Record<string, { requestBody?: { required?: boolean } }>)) {
          if (op?.requestBody) op.requestBody.required = false;
        }
      }
      return openapi;
    },
  });

  const hub = new SseHub(opts.sse);
  const refusedFlood = new FloodLog(log, 'warn', 'event stream refused', opts.floodLogMs);
  app.addHook('onClose', async () => refusedFlood.close());
  deps.metrics.watchSse(() => ({ subscribers: hub.size, dropped: hub.droppedCount }));
  void app.register(systemRoutes, { deps });
  void app.register(
    async (api) => {
      await api.register(playerRoutes, { deps });
      await api.register(snapshotRoutes, { deps });
      await api.register(eventRoutes, { deps, hub, refused: refusedFlood });
      await api.register(pairingRoutes, { deps, hub });
    },
    { prefix: API },
  );
  for (const router of deps.routers ?? []) void app.register(router);
  return app;
}
