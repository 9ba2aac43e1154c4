// The TV's words: every situation has a headline in both languages, and the
// causes a teacher can act on are read from the codes and their messages.
import t from 'tap';
import { causeOf, streamName, tvWords, type TvSituation } from '../../../src/tv/words';

t.test('causes from codes and messages', async (t) => {
  const cases: [number, string, ReturnType<typeof causeOf>][] = [
    [3001, 'RTMP DNS resolution failed: getaddrinfo ENOTFOUND x.invalid', 'host-not-found'],
    [3002, 'RTMP server connection failed: ECONNREFUSED', 'refused'],
    [3003, 'RTMP server handshake failed: not an RTMP server', 'not-a-stream-server'],
    [3003, 'RTMP server handshake failed: the certificate is self-signed', 'untrusted-certificate'],
    [0, 'play:fail HTTPS: the certificate of 127.0.0.1 is not trusted (self-signed)', 'untrusted-certificate'],
    [-2302, 'HTTP 404 Not Found', 'no-such-stream'],
    [-2302, 'src scheme "rtsp" is not one of rtmp, rtmps, http, https', 'bad-address'],
    [2006, 'Playback ended: StreamEOF', 'ended'],
    [-2301, 'gave up after 3 attempts', 'lost'],
    [0, 'no decoder for video codec HEVC', 'unsupported-codec'],
    [2004, 'Video playback started', null],
  ];
  for (const [code, message, want] of cases) t.equal(causeOf(code, message), want, `${code} ${message}`);
});

t.test('every situation has words in zh and en', async (t) => {
  const since = new Date(2026, 11, 6, 10, 2);
  const all: TvSituation[] = [
    { kind: 'idle' },
    { kind: 'stopped' },
    { kind: 'connecting', stream: 'class1' },
    { kind: 'connected-no-media', stream: 'class1' },
    { kind: 'reconnecting', stream: 'class1', attempt: 2, of: 3, startedOnce: true },
    { kind: 'reconnecting', stream: 'class1', attempt: 1, of: 3, startedOnce: false },
    { kind: 'paused' },
    { kind: 'waiting', stream: 'class1', since, code: 2006, cause: 'ended' },
    { kind: 'waiting', stream: 'class1', since, code: -2301, cause: 'refused' },
    { kind: 'failed', stream: 'class1', code: 3001, cause: 'host-not-found', detail: '' },
    { kind: 'failed', stream: 'class1', code: 0, cause: 'unsupported-codec', detail: 'video codec HEVC' },
  ];
  for (const s of all) {
    const en = tvWords(s, 'en', 'rtmp://school.example/live/class1');
    const zh = tvWords(s, 'zh', 'rtmp://school.example/live/class1');
    t.ok(en.headline.length > 0 && zh.headline.length > 0, `${s.kind}: a headline`);
    t.notMatch(zh.headline + zh.line, /[a-z]{5,}/i.test('class1') ? /Connecting|Waiting|Cannot/ : /x^/, `${s.kind}: zh is not English`);
  }
  t.match(tvWords(all[4]!, 'en').headline, 'Connection lost, reconnecting (2/3)');
  t.match(tvWords(all[7]!, 'en').line, 'The stream ended at 10:02 (2006)');
  t.match(tvWords(all[8]!, 'en', 'rtmp://10.0.0.5/live/class1').line, /lost at 10:02 \(-2301\)\. The server 10\.0\.0\.5 refused/);
  t.match(tvWords(all[9]!, 'zh', 'rtmp://school.example/live/class1').line, '找不到直播服务器“school.example”');
  t.match(tvWords(all[10]!, 'en').line, /video codec \(HEVC\) is not supported/);
  // No status code, no number in the headline.
  t.equal(tvWords(all[10]!, 'en').headline, 'Cannot play');
  t.equal(tvWords(all[9]!, 'en').headline, 'Cannot play (3001)');
  const named = { ...all[10]!, detail: "no decoder for the stream's video codec (Sorenson H.263); only H.264 (AVC) is supported" } as TvSituation;
  t.match(tvWords(named, 'en').line, /video codec \(Sorenson H\.263\) is not supported/, 'the codec as the session names it');
  t.equal(streamName('http://h:8080/live/room%201.flv?token=x'), 'room 1');
  t.equal(streamName('rtmp://h/live'), 'live');
});

t.test('the demo publisher takes only its own loopback address into its pipeline', async (t) => {
  const { publisherArgs } = await import('../../../src/demo/demo-stream');
  t.ok(publisherArgs('rtmp://127.0.0.1:1935/live/demo').includes('location=rtmp://127.0.0.1:1935/live/demo'));
  t.throws(() => publisherArgs('rtmp://127.0.0.1:1935/live/demo ! filesink location=/etc/x'), /refusing publisher address/);
  t.throws(() => publisherArgs('rtmp://evil.example/live/demo'), /refusing publisher address/);
});

t.test('with no phone remote the idle card does not ask for a phone', async (t) => {
  for (const lang of ['zh', 'en'] as const) {
    const withRemote = tvWords({ kind: 'idle' }, lang);
    const without = tvWords({ kind: 'idle', remote: false }, lang);
    t.equal(without.headline, withRemote.headline, `${lang}: the same headline`);
    t.not(without.line, withRemote.line, `${lang}: another line`);
    t.notMatch(without.line, lang === 'en' ? /phone|Scan/ : /手机|扫描/, `${lang}: no phone in it: ${without.line}`);
  }
});
