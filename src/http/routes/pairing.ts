// GET /api/v1/pairing, POST /api/v1/pairing/show and DELETE /api/v1/sessions:
// the HTTP side of pairing phones. What they do comes through the `pairing`
// port (src/http/deps.ts, implemented by src/remote); without it they answer 501.
import type { FastifyPluginAsync } from 'fastify';
import { PlayerError } from '../../player/errors';
import type { HttpDeps } from '../deps';
import { Type } from '@sinclair/typebox';
import { bearer, ErrMsg, PairingReply, withErrors } from '../schemas';
import type { SseHub } from '../sse';

const ShowBody = Type.Union([Type.Null(), Type.Object({ seconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 600 })) }, { additionalProperties: false })]);
const ShowReply = Type.Object({ errMsg: Type.String(), until: Type.String({ format: 'date-time' }) }, { additionalProperties: false });

export const pairingRoutes: FastifyPluginAsync<{ deps: HttpDeps; hub?: SseHub }> = async (app, { deps, hub }) => {
  app.get('/pairing', {
    config: { op: 'pairing' },
    schema: { summary: 'The one-time pairing address shown on the TV', tags: ['pairing'], security: bearer, response: withErrors({ 200: PairingReply }) },
    handler: async () => {
      if (!deps.pairing) throw new PlayerError('NotAvailable', 'pairing');
      return deps.pairing.current();
    },
  });

  app.post('/pairing/show', {
    config: { op: 'showPairingCode' },
    schema: {
      summary: 'Shows the pairing code, the name and the address in a corner of the TV (60 s unless `seconds` says) without stopping the picture',
      tags: ['pairing'],
      security: bearer,
      body: ShowBody,
      response: withErrors({ 200: ShowReply }),
    },
    handler: async (req) => {
      if (!deps.pairing?.showOnTv) throw new PlayerError('NotAvailable', 'showPairingCode');
      const seconds = (req.body as { seconds?: number } | null)?.seconds ?? 60;
      return { errMsg: 'showPairingCode:ok', ...deps.pairing.showOnTv(seconds * 1000) };
    },
  });

  app.delete('/sessions', {
    config: { op: 'sessions' },
    schema: { summary: 'Revokes every paired phone', tags: ['pairing'], security: bearer, response: withErrors({ 200: ErrMsg }) },
    handler: async (req) => {
      if (!deps.pairing) throw new PlayerError('NotAvailable', 'sessions');
      await deps.pairing.forgetAll();
      // A revoked phone must stop hearing the player at once (its stream carries the stream addresses).
      const closed = hub?.closeSessions() ?? 0;
      req.log.info({ closedStreams: closed }, 'all phones forgotten');
      return { errMsg: 'sessions:ok' };
    },
  });
};
