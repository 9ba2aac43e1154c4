// The one edge where anything thrown becomes an HTTP answer in the
// mini-program convention: {errMsg: "<method>:fail <reason>"} with the
// PlayerError's status. fastify's own client errors (413, 415, bad JSON,
// schema validation) keep their 4xx status and get a fixed, short reason.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { asPlayerError, PlayerError, Refusal } from '../player/errors';

/**
 * Refusals only an edge makes (who may ask, not what the player can do):
 * the same "<method>:fail <reason>" shape and HTTP status as a PlayerError.
 */
export const EDGE_ERRORS = {
  Unauthorized: { http: 401, text: 'unauthorized' },
  Forbidden: { http: 403, text: 'forbidden' },
  RateLimited: { http: 429, text: 'too many failed attempts, try again later' },
} as const;

export type EdgeReason = keyof typeof EDGE_ERRORS;

export class EdgeError extends Refusal<EdgeReason> {
  constructor(reason: EdgeReason, method: string, detail?: string) {
    super(reason, method, detail ?? EDGE_ERRORS[reason].text, EDGE_ERRORS[reason].http);
    this.name = 'EdgeError';
  }
}

/** Route metadata every route declares in `config`. */
export interface RouteMeta {
  /** The LivePlayerContext-style name used in errMsg ("play", "setAttributes", ...); not `method`, which fastify fills with the HTTP verb. */
  op?: string;
  /** No token needed (only /healthz). */
  public?: boolean;
}

export function methodOf(req: FastifyRequest): string {
  return (req.routeOptions.config as RouteMeta | undefined)?.op ?? 'request';
}

// Reasons are fixed strings so nothing a client sent is echoed back.
const FASTIFY_REASONS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported content type, send application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'content length does not match the body',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty JSON body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed JSON',
};

/** Status and errMsg for anything thrown while serving `method`. */
export function toAnswer(err: unknown, method: string): { status: number; errMsg: string } {
  if (err instanceof Refusal) return { status: err.httpStatus, errMsg: err.errMsg };
  const fe = err as Partial<FastifyError>;
  if (fe && fe.validation) {
    const e = new PlayerError('InvalidArgument', method, (fe.message ?? 'invalid request').slice(0, 300));
    return { status: 400, errMsg: e.errMsg };
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const poisoned = /forbidden prototype property/.test(fe.message ?? '');
    const reason = poisoned
      ? 'forbidden key (__proto__ or constructor.prototype)'
      : (fe.code && FASTIFY_REASONS[fe.code]) || (err instanceof SyntaxError ? 'malformed JSON' : 'bad request');
    return { status, errMsg: `${method}:fail ${reason}` };
  }
  const e = asPlayerError(err, method);
  return { status: e.httpStatus, errMsg: e.errMsg };
}

/** The app's only error handler. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply): void => {
    const method = methodOf(req);
    const answer = toAnswer(err, method);
    if (answer.status >= 500) log.error({ err, method, route: req.routeOptions.url }, 'request failed');
    if (answer.status === 401) reply.header('www-authenticate', 'Bearer realm="liveplayerd"');
    void reply.code(answer.status).send({ errMsg: answer.errMsg });
  };
}
