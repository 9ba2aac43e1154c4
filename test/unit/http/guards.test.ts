// The guard functions on their own, as tables: Host parsing, same-origin
// decisions, and the failure counter's window.
import t from 'tap';
import { FailureLimiter } from '../../../src/http/auth';
import { checkOrigin, hostOf } from '../../../src/http/guards';

t.test('hostOf reduces a Host header to a name or IP literal', async (t) => {
  const cases: [string | undefined, string | null][] = [
    ['localhost', 'localhost'],
    ['LocalHost:8080', 'localhost'],
    ['tv.school.lan.', 'tv.school.lan'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['[::1]:8080', '::1'],
    ['[fe80::1%25eth0]:80', 'fe80::1'],
    ['[::1', null],
    ['[::1]x', null],
    ['[not-ip]:80', null],
    ['a b', null],
    ['host:port', null],
    ['host:80:80', null],
    ['user@host', null],
    ['', null],
    [undefined, null],
    ['x'.repeat(400), null],
  ];
  for (const [h, want] of cases) t.equal(hostOf(h), want, JSON.stringify(h));
});

t.test('checkOrigin: same origin and non-browser clients pass, everything else is cross', async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ host: '10.0.0.5:8080' }, 'ok'],
    [{ host: '10.0.0.5:8080', origin: 'http://10.0.0.5:8080' }, 'ok'],
    [{ host: '10.0.0.5:8080', origin: 'https://10.0.0.5:8080' }, 'ok'],
    [{ host: '10.0.0.5:8080', origin: 'http://10.0.0.5:8081' }, 'cross-origin'],
    [{ host: '10.0.0.5:8080', origin: 'http://10.0.0.5' }, 'cross-origin'],
    [{ host: '10.0.0.5:8080', origin: 'null' }, 'cross-origin'],
    [{ host: '10.0.0.5:8080', origin: 'chrome-extension://abc' }, 'cross-origin'],
    [{ host: '10.0.0.5:8080', 'sec-fetch-site': 'same-origin' }, 'ok'],
    [{ host: '10.0.0.5:8080', 'sec-fetch-site': 'none' }, 'ok'],
    [{ host: '10.0.0.5:8080', 'sec-fetch-site': 'same-site' }, 'cross-site'],
    [{ host: '10.0.0.5:8080', 'sec-fetch-site': 'cross-site' }, 'cross-site'],
    [{ host: '10.0.0.5:8080', 'sec-fetch-site': 'whatever' }, 'cross-site'],
  ];
  for (const [h, want] of cases) t.equal(checkOrigin(h), want, JSON.stringify(h));
});

t.test('FailureLimiter blocks after max failures until the window ends, and stays bounded', async (t) => {
  let now = 0;
  const l = new FailureLimiter({ max: 3, windowMs: 1000, maxKeys: 100 }, () => now);
  for (let i = 0; i < 3; i++) {
    t.notOk(l.blocked('a'));
    l.fail('a');
  }
  t.ok(l.blocked('a'));
  t.notOk(l.blocked('b'));
  now = 999;
  t.ok(l.blocked('a'));
  now = 1000;
  t.notOk(l.blocked('a'), 'a new window');
  for (let i = 0; i < 10_000; i++) l.fail(`ip-${i}`);
  t.ok((l as unknown as { windows: Map<string, unknown> }).windows.size <= 100, 'memory bounded');
});
