// Every errMsg and terminal status the phone or the TV can show has words in
// zh and en saying what to do; the raw texts below are the ones the daemon
// really produces (src-url.ts, errors.ts, the readers' details).
import t from 'tap';
import { adviceFor, MESSAGE_RULES } from '../../../src/player/messages';
import { EdgeError, EDGE_ERRORS } from '../../../src/http/errors';
import { ERRORS, PlayerError } from '../../../src/player/errors';
import { checkSrc } from '../../../src/player/src-url';
import { describe } from '../../../src/player/status-codes';

const CASES: [string, string, number | null][] = [
  [`setAttributes:fail src ${checkSrc('rtsp://cam/1')}`, 'src-scheme', null],
  [`setAttributes:fail src ${checkSrc('host/app/stream')}`, 'src-invalid', null],
  [new PlayerError('NoSource', 'play').errMsg, 'no-src', null],
  [new PlayerError('NotPlaying', 'pause').errMsg, 'not-playing', null],
  [new PlayerError('NotPaused', 'resume').errMsg, 'not-paused', null],
  [new PlayerError('NoFrame', 'snapshot').errMsg, 'snapshot-no-frame', null],
  [new EdgeError('Unauthorized', 'stop').errMsg, 'revoked', null],
  [new EdgeError('RateLimited', 'request').errMsg, 'rate-limited', null],
  ['Failed to fetch', 'tv-unreachable', null],
  [describe(-2301, 'ECONNREFUSED 127.0.0.1:1935; gave up after 3 attempts'), 'server-refused', -2301],
  [describe(-2301, 'ENOTFOUND tv-server.local; gave up after 3 attempts'), 'server-unknown', -2301],
  [describe(-2301, 'play "room9" refused: NetStream.Play.StreamNotFound; gave up after 3 attempts'), 'stream-missing', -2301],
  [describe(-2302, 'HTTP 404 Not Found from 10.0.0.5:8080'), 'stream-missing', -2302],
  [describe(-2302, 'HTTP 200 OK (text/html) from 10.0.0.5:80 ended after 512 bytes, before an FLV header'), 'not-a-stream', -2302],
  [describe(-2301, 'no TCP answer from 10.0.0.5:1935 within 5000 ms; gave up after 3 attempts'), 'gave-up', -2301],
  [describe(2006, 'publisher stopped'), 'stream-ended', 2006],
  ["no decoder for the stream's video codec (HEVC); only H.264 (AVC) is supported", 'unsupported-codec', null],
];

t.test('each failure people can meet gets its advice, in zh and en', async (t) => {
  for (const [text, id, code] of CASES) {
    const a = adviceFor(text, code);
    t.equal(a?.id, id, `${text.slice(0, 70)} -> ${id}`);
    t.ok(a && /[\u4e00-\u9fff]/.test(a.zh) && /^[\x20-\x7e\u2026]+$/.test(a.en), `${id}: a Chinese and an English text`);
  }
  t.match(adviceFor(CASES[0]![0])?.en, 'cannot play "rtsp://" addresses', 'the scheme is named');
  t.match(adviceFor(CASES[CASES.length - 1]![0])?.zh, '视频编码是 HEVC', 'the codec is named');
  t.match(adviceFor(CASES[0]![0])?.zh, '"rtsp://"');
});

t.test('the table is whole: every rule is reached by some case, every refusal a user can cause has words', async (t) => {
  const used = new Set(CASES.map(([text, , code]) => adviceFor(text, code)?.id));
  for (const r of MESSAGE_RULES.filter((r) => !['invalid', 'forbidden', 'waiting'].includes(r.id))) t.ok(used.has(r.id), `rule ${r.id} is exercised`);
  for (const reason of ['InvalidArgument', 'NoSource', 'NotPlaying', 'NotPaused', 'NoFrame'] as (keyof typeof ERRORS)[]) {
    const method = reason === 'NotPlaying' ? 'pause' : reason === 'NotPaused' ? 'resume' : 'play';
    t.ok(adviceFor(new PlayerError(reason, method).errMsg), `${reason}: ${new PlayerError(reason, method).errMsg}`);
  }
  for (const reason of ['Unauthorized', 'Forbidden', 'RateLimited'] as (keyof typeof EDGE_ERRORS)[]) {
    t.ok(adviceFor(new EdgeError(reason, 'play').errMsg), `${reason}: ${new EdgeError(reason, 'play').errMsg}`);
  }
  t.equal(adviceFor('setAttributes:ok'), null, 'a success has no advice');
  t.equal(adviceFor('anything', 2004), null, 'a normal code has no advice');
});
