// GET /api/v1/pairing and DELETE /api/v1/sessions: the seam for the
// phone-remote work. The routes, schemas and auth exist now; the behaviour
// comes with the `pairing` dependency, and without it they answer 501.
import type { FastifyPluginAsync } from 'fastify';
import { PlayerError } from '../../player/errors';
import type { HttpDeps } from '../app';
import { bearer, ErrMsg, PairingReply, withErrors } from '../schemas';

/** What the phone-remote work provides to the HTTP surface. */
export interface Pairing {
  /** The one-time pairing address the TV's QR code shows right now. */
  current(): { url: string; expiresAt: string } | Promise<{ url: string; expiresAt: string }>;
  /** Revokes every paired phone ("forget all phones"). */
  forgetAll(): void | Promise<void>;
}

export const pairingRoutes: FastifyPluginAsync<{ deps: HttpDeps }> = async (app, { deps }) => {
  app.get('/pairing', {
    config: { op: 'pairing' },
    schema: { summary: 'The one-time pairing address shown on the TV', tags: ['pairing'], security: bearer, response: withErrors({ 200: PairingReply }) },
    handler: async () => {
      if (!deps.pairing) throw new PlayerError('NotAvailable', 'pairing');
      return deps.pairing.current();
    },
  });

  app.delete('/sessions', {
    config: { op: 'sessions' },
    schema: { summary: 'Revokes every paired phone', tags: ['pairing'], security: bearer, response: withErrors({ 200: ErrMsg }) },
    handler: async () => {
      if (!deps.pairing) throw new PlayerError('NotAvailable', 'sessions');
      await deps.pairing.forgetAll();
      return { errMsg: 'sessions:ok' };
    },
  });
};
