// GET /api/v1/events: the player's events as server-sent events. A new
// subscriber first gets the current attributes and state, so it starts in sync.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { PlayerError } from '../../player/errors';
import type { PlayerEventMap } from '../../player/player';
import type { HttpDeps } from '../deps';
import { bearer, withErrors } from '../schemas';
import { frame, type SseHub } from '../sse';
import type { FloodLog } from '../flood-log';

// Player event -> SSE event name and payload. `state` and `pictureinpicture`
// are additions to the contract's list. The spec's `error` event goes out as
// `playererror`: an SSE event named `error` would also fire EventSource's
// onerror, which browsers use for a lost connection.
const FORWARDED: { [K in keyof PlayerEventMap]?: { name: string; data: (...a: PlayerEventMap[K]) => unknown } } = {
  statechange: { name: 'statechange', data: (e) => ({ code: e.code, message: e.message }) },
  netstatus: { name: 'netstatus', data: (e) => ({ info: e.info }) },
  fullscreenchange: { name: 'fullscreenchange', data: (e) => ({ direction: e.direction, fullScreen: e.fullScreen }) },
  audiovolumenotify: { name: 'audiovolumenotify', data: (e) => ({ volume: e.volume }) },
  attributes: { name: 'attributes', data: (a) => a },
  state: { name: 'state', data: (e) => ({ state: e.state }) },
  pictureinpicture: { name: 'pictureinpicture', data: (e) => ({ pictureInPicture: e.pictureInPicture }) },
  playererror: { name: 'playererror', data: (e) => ({ errMsg: e.errMsg }) },
};

export const eventRoutes: FastifyPluginAsync<{ deps: HttpDeps; hub: SseHub; refused?: FloodLog }> = async (app, { deps, hub, refused }) => {
  const { player } = deps;
  const listeners: [keyof PlayerEventMap, (...a: never[]) => void][] = [];
  for (const [event, spec] of Object.entries(FORWARDED) as [keyof PlayerEventMap, { name: string; data: (...a: unknown[]) => unknown }][]) {
    const fn = (...a: unknown[]): void => hub.send(spec.name, spec.data(...a));
    player.on(event, fn as never);
    listeners.push([event, fn]);
  }
  // preClose, not onClose: open streams would keep server.close() waiting forever.
  app.addHook('preClose', async () => {
    for (const [event, fn] of listeners) player.off(event, fn as never);
    hub.close();
  });

  app.get('/events', {
    config: { op: 'events' },
    schema: {
      summary: 'Server-sent events: statechange {code,message}, netstatus {info}, fullscreenchange {direction,fullScreen}, audiovolumenotify {volume}, attributes {...}, state {state}, pictureinpicture {pictureInPicture}, playererror {errMsg} (the spec\'s error event)',
      tags: ['events'],
      security: bearer,
      produces: ['text/event-stream'],
      response: withErrors({ 200: Type.String({ description: 'text/event-stream' }) }),
    },
    handler: async (req, reply) => {
      const owner = deps.auth.identify(req) ?? 'token';
      const why = hub.refusal(owner);
      if (why) {
        // Answered here, not thrown: the error handler logs every 5xx, and a flood of these would flood the log.
        refused?.note({ reason: why, phone: owner !== 'token' });
        return reply.code(503).send({ errMsg: new PlayerError('Busy', 'events', why).errMsg });
      }
      reply.hijack();
      hub.add(reply.raw, frame('attributes', player.attributes) + frame('state', { state: player.state }), owner);
      return reply;
    },
  });
};
