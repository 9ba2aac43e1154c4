// SseHub's per-owner bounds on a real HTTP server: one phone session cannot
// hold more than its share, phones together leave the token's reserve free,
// and closeSessions() ends every phone's stream at once and no token stream.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { SseHub, type SseOwner } from '../../../src/http/sse';

t.test('bounds per phone, reserve for the token, closing phones', async (t) => {
  const hub = new SseHub({ maxClients: 6, maxPerSession: 2, reservedForToken: 2, heartbeatMs: 60_000 });
  const server = http.createServer((req, res) => {
    const owner = String(req.headers['x-owner']) as SseOwner;
    const why = hub.refusal(owner);
    if (why) {
      res.writeHead(503).end(why);
      return;
    }
    hub.add(res, '', owner);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    hub.close();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const responses: http.IncomingMessage[] = [];
  const open = (owner: string) =>
    new Promise<{ status: number; res: http.IncomingMessage }>((resolve, reject) => {
      http.get({ port, host: '127.0.0.1', path: '/', headers: { 'x-owner': owner }, agent: false }, (res) => {
        responses.push(res);
        resolve({ status: res.statusCode ?? 0, res });
      }).on('error', reject);
    });
  t.teardown(() => responses.forEach((r) => r.destroy()));

  t.same([(await open('session:a')).status, (await open('session:a')).status, (await open('session:a')).status], [200, 200, 503], 'a phone: 2, then refused');
  t.equal((await open('session:b')).status, 200);
  t.equal((await open('session:b')).status, 200);
  t.equal((await open('session:c')).status, 503, 'phones hold 4 of 6: the last 2 are the token\'s');
  const tok1 = await open('token');
  const tok2 = await open('token');
  t.same([tok1.status, tok2.status], [200, 200], 'the token gets the reserve');
  t.equal((await open('token')).status, 503, 'and the hub is full at 6');
  const ended = responses.filter((r) => r.statusCode === 200).map((r) => new Promise<void>((res) => r.once('close', () => res())));
  t.equal(hub.closeSessions(), 4, 'four phone streams closed');
  t.equal(hub.size, 2, 'the two token streams remain');
  const closed = await Promise.race([Promise.all(ended.slice(0, 4)), new Promise<null>((r) => setTimeout(() => r(null), 2000))]);
  t.ok(closed, 'the phones saw their streams end');
  t.equal((await open('session:c')).status, 200, 'a phone may open one again');
});
