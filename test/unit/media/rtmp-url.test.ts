// How play URLs become the RTMP connect app, tcUrl and play name, and which
// URLs are refused before any network activity.
import t from 'tap';
import { parseRtmpUrl } from '../../../src/media/rtmp/url';
import { parseHttpUrl } from '../../../src/media/httpflv/url';

const rtmp: Array<{ url: string; want: Record<string, unknown> | null }> = [
  { url: 'rtmp://h/live/stream', want: { tls: false, host: 'h', port: 1935, app: 'live', stream: 'stream', tcUrl: 'rtmp://h/live' } },
  { url: 'rtmp://h:19350/live/s?token=abc&x=1', want: { port: 19350, app: 'live', stream: 's?token=abc&x=1', tcUrl: 'rtmp://h:19350/live' } },
  { url: 'rtmps://h/live/s', want: { tls: true, port: 443, app: 'live', stream: 's' } },
  // ffmpeg's rule (rtmpproto.c): a second segment is an application instance.
  { url: 'rtmp://h/live/a/b', want: { app: 'live/a', stream: 'b', tcUrl: 'rtmp://h/live/a' } },
  { url: 'rtmp://h/live/inst/s?token=abc', want: { app: 'live/inst', stream: 's?token=abc', tcUrl: 'rtmp://h/live/inst' } },
  { url: 'rtmp://h/app/inst/a/b', want: { app: 'app/inst', stream: 'a/b' } },
  { url: 'rtmp://h/vod/mp4:dir/file.mp4', want: { app: 'vod', stream: 'mp4:dir/file.mp4' } },
  { url: 'rtmp://h/vod/file.mp4', want: { app: 'vod', stream: 'mp4:file.mp4' } },
  { url: 'rtmp://h/vod/dir/file.flv', want: { app: 'vod/dir', stream: 'file' } },
  { url: 'rtmp://h/live/s.flv', want: { app: 'live', stream: 's' } },
  { url: 'rtmp://h//live//s', want: { app: 'live', stream: 's' } },
  { url: 'rtmp://[::1]:1935/live/s', want: { host: '[::1]', app: 'live' } },
  { url: 'rtmp://h/live', want: null },
  { url: 'rtmp://h/', want: null },
  { url: 'http://h/live/s', want: null },
  { url: 'file:///etc/passwd', want: null },
  { url: 'not a url', want: null },
];

for (const c of rtmp) {
  t.test(c.url, async (tt) => {
    const r = parseRtmpUrl(c.url);
    if (c.want === null) {
      tt.equal(r.ok, false, 'refused');
      if (!r.ok) tt.ok(r.reason.length > 0, `says why: ${r.reason}`);
    } else {
      tt.equal(r.ok, true);
      if (r.ok) tt.match(r.target, c.want);
    }
  });
}

t.test('http(s) URLs keep path and query on the request line', async (tt) => {
  const r = parseHttpUrl('https://example.com/live/s.flv?k=v');
  tt.ok(r.ok);
  if (r.ok) tt.match(r.target, { tls: true, host: 'example.com', port: 443, path: '/live/s.flv?k=v', hostHeader: 'example.com' });
  const p = parseHttpUrl('http://h:8000/a.flv');
  if (p.ok) tt.match(p.target, { tls: false, port: 8000, hostHeader: 'h:8000' });
  tt.equal(parseHttpUrl('rtmp://h/live/s').ok, false);
});
