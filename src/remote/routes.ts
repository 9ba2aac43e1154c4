// The phone remote's HTTP routes: the page at `/` and its files, the QR
// code's landing `/pair?code=…` (code -> session cookie -> redirect to `/`),
// and the named channels under /api/v1/channels. The composer (src/daemon.ts)
// hands them to buildApp as one of its routers.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { API, bearer, ErrMsg, withErrors } from '../http/schemas';
import { ChannelCreate, ChannelList, ChannelParams, ChannelPatch, ChannelSchema, type ChannelStore } from './channels';
import { loadPage } from './page-files';
import type { PairingService } from './pairing';
import type { SessionStore } from './session-store';
import type { TvScreen } from '../tv/screen';
import { Type } from '@sinclair/typebox';
import { PlayerError } from '../player/errors';
import { readCookie } from '../http/auth';
import { FloodLog } from '../http/flood-log';
import type { Logger } from 'pino';

export interface RemoteDeps {
  pairing: PairingService;
  sessions: SessionStore;
  channels: ChannelStore;
  /** The cookie name Auth reads (auth.cookieName). */
  cookieName: string;
  /** Shown in the page title. */
  deviceName: string;
  /** The TV idle screen, captured by GET /api/v1/tv/screen.png. */
  screen?: TvScreen;
}

// Scripts, styles, pictures and connections only from the daemon itself; no frames.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
}

const PAIR_FAILED = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>此配对链接已失效 / This pairing link no longer works</title></head><body style="font:1.2rem/1.5 sans-serif;margin:1.5rem;color:#111;background:#fff">
<h1 lang="zh">此配对链接已使用或已过期</h1>
<p lang="zh">每个二维码只能配对一部手机，并且会定时更换。获取新的二维码：</p>
<ul lang="zh"><li>电视没有在播放时，屏幕上就有新的二维码，直接扫描即可；</li>
<li>正在上课时，请已配对的手机点“添加其他手机”，电视角落会显示新的二维码 60 秒。</li></ul>
<h1 lang="en">This pairing link was used or has expired</h1>
<p lang="en">Each code pairs one phone and is replaced from time to time. To get a new code:</p>
<ul lang="en"><li>when nothing plays, the TV shows a new code: scan it;</li>
<li>during a lesson, tap "Add another phone" on a phone that is already paired: the TV shows a new code in a corner for 60 s.</li></ul>
</body></html>`;

export const remoteRoutes: FastifyPluginAsync<{ deps: RemoteDeps }> = async (app, { deps }) => {
  const files = loadPage(deps.deviceName);
  // Wrong codes come in floods when someone guesses; one line per minute with a count.
  const refused = new FloodLog(app.log as unknown as Logger, 'warn', 'pairing refused: code wrong, used or expired');
  app.addHook('onClose', async () => refused.close());
  for (const [url, file] of files) {
    app.get(url, {
      config: { op: 'remote', public: true },
      schema: { hide: true },
      handler: async (req, reply) => pageHeaders(reply).type(file.type).send(file.body),
    });
  }

  app.get('/pair', {
    config: { op: 'pair', public: true },
    schema: { hide: true },
    handler: async (req, reply) => {
      const code = (req.query as { code?: unknown } | undefined)?.code;
      const id = deps.pairing.exchange(code);
      pageHeaders(reply);
      if (id === null) {
        // A phone that is already paired (reopening the link from its history) just goes on.
        const cookie = readCookie(req.headers.cookie, deps.cookieName);
        if (cookie !== null && deps.sessions.verify(cookie)) return reply.redirect('/', 303);
        refused.note({ route: '/pair' });
        return reply.code(403).type('text/html; charset=utf-8').send(PAIR_FAILED);
      }
      req.log.info({ route: '/pair', phones: deps.sessions.size }, 'phone paired');
      void reply.header('set-cookie', `${deps.cookieName}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${deps.sessions.maxAgeSeconds}`);
      return reply.redirect('/', 303);
    },
  });

  await app.register(
    async (api) => {
      api.get('/tv/screen.png', {
        config: { op: 'screen' },
        schema: {
          summary: 'The TV idle screen as drawn now (PNG); 409 while a stream plays',
          tags: ['tv'],
          security: bearer,
          produces: ['image/png'],
          response: withErrors({ 200: Type.String({ format: 'binary' }) }),
        },
        handler: async (req, reply) => {
          if (!deps.screen?.showing) throw new PlayerError('NoFrame', 'screen', 'the idle screen is not showing');
          let png: Buffer;
          try {
            png = await deps.screen.capture();
          } catch (err) {
            throw new PlayerError('NoFrame', 'screen', (err as Error).message);
          }
          return reply.type('image/png').header('cache-control', 'no-store').send(png);
        },
      });
      api.get('/channels', {
        config: { op: 'channels' },
        schema: { summary: 'Named stream addresses stored on the device', tags: ['channels'], security: bearer, response: withErrors({ 200: ChannelList }) },
        handler: async () => ({ channels: deps.channels.all() }),
      });
      api.post('/channels', {
        config: { op: 'channels' },
        schema: { summary: 'Adds a channel', tags: ['channels'], security: bearer, body: ChannelCreate, response: withErrors({ 200: ChannelSchema }) },
        handler: async (req) => {
          const b = req.body as { name: string; src: string };
          return deps.channels.add(b.name, b.src);
        },
      });
      api.patch('/channels/:id', {
        config: { op: 'channels' },
        schema: { summary: 'Renames a channel or changes its address', tags: ['channels'], security: bearer, params: ChannelParams, body: ChannelPatch, response: withErrors({ 200: ChannelSchema }) },
        handler: async (req) => deps.channels.update((req.params as { id: string }).id, req.body as { name?: string; src?: string }),
      });
      api.delete('/channels/:id', {
        config: { op: 'channels' },
        schema: { summary: 'Deletes a channel', tags: ['channels'], security: bearer, params: ChannelParams, response: withErrors({ 200: ErrMsg }) },
        handler: async (req) => {
          deps.channels.remove((req.params as { id: string }).id);
          return { errMsg: 'channels:ok' };
        },
      });
    },
    { prefix: API },
  );
};

