// http(s):// URL → what the reader dials and requests.

export interface HttpTarget {
  tls: boolean;
  host: string;
  port: number;
  /** Path and query, as sent on the request line. */
  path: string;
  hostHeader: string;
}

export function parseHttpUrl(raw: string): { ok: true; target: HttpTarget } | { ok: false; reason: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, reason: `not a URL: ${JSON.stringify(raw.slice(0, 200))}` };
  }
  const tls = u.protocol === 'https:';
  if (!tls && u.protocol !== 'http:') return { ok: false, reason: `not an HTTP URL (scheme ${u.protocol})` };
  if (!u.hostname) return { ok: false, reason: 'HTTP URL without a host' };
  const port = u.port ? Number(u.port) : tls ? 443 : 80;
  return { ok: true, target: { tls, host: u.hostname, port, path: `${u.pathname}${u.search}`, hostHeader: u.host } };
}
