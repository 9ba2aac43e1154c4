// What the player tells the media session about its audio output: muted by
// the user, or by backgroundMute while in background (picture-in-picture or
// the idle screen on the TV), and never by changing the muted attribute.
// The real audio output is checked in test/integration/audio/outputs.test.ts.
import t from 'tap';
import pino from 'pino';
import type { Attributes } from '../../../src/player/attributes';
import { LivePlayer } from '../../../src/player/player';
import { FakeEngine } from '../../helpers/fake-engine';

function playing(attrs: Partial<Attributes> = {}) {
  const engine = new FakeEngine();
  const player = new LivePlayer({ engine, log: pino({ level: 'silent' }), reconnect: { attempts: 0, intervalMs: 0 } });
  player.setAttributes({ src: 'rtmp://127.0.0.1/live/s', ...attrs });
  player.play();
  return { engine, player, muted: () => engine.options.audioMuted };
}

t.test('background without backgroundMute changes nothing', async (tt) => {
  const p = playing();
  p.player.requestPictureInPicture();
  p.player.setIdleScreenShowing(true);
  tt.equal(p.muted(), false);
});

t.test('backgroundMute mutes in picture-in-picture and on the idle screen, and unmutes after', async (tt) => {
  const p = playing({ backgroundMute: true });
  tt.equal(p.muted(), false, 'in foreground: sound');
  p.player.requestPictureInPicture();
  tt.equal(p.muted(), true, 'picture-in-picture: silent');
  tt.equal(p.player.attributes.muted, false, 'muted attribute untouched');
  p.player.exitPictureInPicture();
  tt.equal(p.muted(), false);
  p.player.setIdleScreenShowing(true);
  tt.equal(p.muted(), true, 'idle screen on the TV: silent');
  p.player.setIdleScreenShowing(false);
  tt.equal(p.muted(), false);
});

t.test('switching backgroundMute while in background acts at once; muted wins either way', async (tt) => {
  const p = playing();
  p.player.requestPictureInPicture();
  p.player.setAttributes({ backgroundMute: true });
  tt.equal(p.muted(), true);
  p.player.setAttributes({ backgroundMute: false });
  tt.equal(p.muted(), false);
  p.player.mute();
  tt.equal(p.muted(), true, 'the user muted');
  p.player.exitPictureInPicture();
  tt.equal(p.muted(), true, 'still muted in foreground');
});

t.test('a session opened in background starts silent', async (tt) => {
  const engine = new FakeEngine();
  const player = new LivePlayer({ engine, log: pino({ level: 'silent' }), reconnect: { attempts: 0, intervalMs: 0 } });
  player.setAttributes({ src: 'rtmp://127.0.0.1/live/s', backgroundMute: true });
  player.requestPictureInPicture();
  player.play();
  tt.equal(engine.options.audioMuted, true);
});
