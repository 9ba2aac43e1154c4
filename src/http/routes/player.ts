// GET/PATCH /api/v1/player and POST /api/v1/player/<method>: the
// LivePlayerContext over HTTP, each answering {errMsg: "<method>:ok"}.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { HttpDeps } from '../deps';
import { requestFullScreen, SIMPLE_METHODS, type SimpleMethod } from '../actions';
import { bearer, ErrMsg, FullScreenBody, type FullScreenBodyT, PatchBody, PlayerViewSchema, withErrors } from '../schemas';

const NoBody = Type.Object({}, { additionalProperties: false });

const DESCRIPTIONS: Record<SimpleMethod | 'requestFullScreen', string> = {
  play: 'Starts playing `src` (409 when there is none).',
  stop: 'Stops playback.',
  mute: 'Mutes; `PATCH {muted:false}` unmutes.',
  pause: 'Pauses a playing stream (409 when not playing).',
  resume: 'Resumes a paused stream (409 when not paused).',
  exitFullScreen: 'Leaves full screen.',
  requestPictureInPicture: 'Shows the picture small, in a corner.',
  exitPictureInPicture: 'Leaves picture-in-picture.',
  requestFullScreen: 'Goes full screen, rotated by `direction` (0, 90 or -90).',
};

export const playerRoutes: FastifyPluginAsync<{ deps: HttpDeps }> = async (app, { deps }) => {
  const { player } = deps;

  app.get('/player', {
    config: { op: 'player' },
    schema: { summary: 'The player: attributes, state, full screen, last code, net status', tags: ['player'], security: bearer, response: withErrors({ 200: PlayerViewSchema }) },
    handler: async () => player.view(),
  });

  app.patch('/player', {
    config: { op: 'setAttributes' },
    schema: {
      summary: 'Changes any subset of the attributes; a bad value changes nothing (400)',
      tags: ['player'],
      security: bearer,
      body: PatchBody,
      response: withErrors({ 200: PlayerViewSchema }),
    },
    handler: async (req) => {
      player.setAttributes(req.body ?? {});
      return player.view();
    },
  });

  for (const name of Object.keys(SIMPLE_METHODS) as SimpleMethod[]) {
    app.post(`/player/${name}`, {
      config: { op: name },
      schema: { summary: DESCRIPTIONS[name], tags: ['player'], security: bearer, body: NoBody, response: withErrors({ 200: ErrMsg }) },
      handler: async () => {
        await SIMPLE_METHODS[name](player);
        return { errMsg: `${name}:ok` };
      },
    });
  }

  app.post('/player/requestFullScreen', {
    config: { op: 'requestFullScreen' },
    schema: { summary: DESCRIPTIONS.requestFullScreen, tags: ['player'], security: bearer, body: FullScreenBody, response: withErrors({ 200: ErrMsg }) },
    handler: async (req) => {
      requestFullScreen(player, req.body as FullScreenBodyT | undefined);
      return { errMsg: 'requestFullScreen:ok' };
    },
  });
};
