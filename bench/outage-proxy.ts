// A TCP relay in front of a media server that can fail like a network: cut()
// drops every connection and refuses new ones, restore() accepts again on the
// same port. The reconnect measurement needs this because a killed publisher
// makes the server announce the end of the stream (RTMP UnpublishNotify), which
// liveplayerd reports as 2006 and stops, as WeChat's player does; only a lost
// connection is retried.
import net from 'node:net';

export interface OutageProxy {
  port: number;
  /** Same URL with the proxy's port in place of the server's. */
  via(url: string): string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Relays 127.0.0.1:<new port> to 127.0.0.1:targetPort. */
export async function startOutageProxy(targetPort: number): Promise<OutageProxy> {
  const sockets = new Set<net.Socket>();
  const onConnection = (client: net.Socket) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    // No Nagle either way: the relay must not add latency of its own.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  let server = net.createServer(onConnection);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const port = await listen(0);
  const proxy: OutageProxy = {
    port,
    via: (url) => url.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`),
    cut: async () => {
      const closed = closeServer();
      // RST rather than FIN: a network failure, not a polite goodbye.
      for (const s of sockets) s.resetAndDestroy();
      await closed;
    },
    restore: async () => {
      server = net.createServer(onConnection);
      await listen(port);
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      if (server.listening) await closeServer();
    },
  };
  return proxy;
}
