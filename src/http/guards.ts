// The browser-facing guards: a Host allow-list against DNS rebinding, and
// the Origin / Sec-Fetch-Site check that refuses requests made by another
// site's page running in a student's or teacher's browser.
import os from 'node:os';
import { isIP } from 'node:net';

export interface HostGuardOptions {
  /** config.allowedHosts: extra names the device is reached by. */
  allowedHosts: readonly string[];
  /** How long the interface addresses are trusted before being read again (DHCP may change them). */
  refreshMs?: number;
}

/** Lower-cased host name or IP literal from a Host header, without port, brackets, zone or final dot; null when malformed. */
export function hostOf(header: string | undefined): string | null {
  if (!header || header.length > 300) return null;
  let h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return null;
    const rest = h.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    h = h.slice(1, end);
    const zone = h.indexOf('%');
    if (zone >= 0) h = h.slice(0, zone);
    return isIP(h) === 6 ? h : null;
  }
  const colon = h.lastIndexOf(':');
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(h.slice(colon + 1))) return null;
    h = h.slice(0, colon);
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  return /^[a-z0-9.-]{1,253}$/.test(h) ? h : null;
}

function normaliseIp(address: string): string {
  const zone = address.indexOf('%');
  return (zone >= 0 ? address.slice(0, zone) : address).toLowerCase();
}

/** Decides whether a Host header names this device; built once per app. */
export function createHostGuard(opts: HostGuardOptions): (hostHeader: string | undefined) => boolean {
  const refreshMs = opts.refreshMs ?? 10_000;
  const names = new Set<string>(['localhost', '127.0.0.1', '::1']);
  const hostname = os.hostname().toLowerCase();
  if (hostname) {
    names.add(hostname);
    names.add(`${hostname.split('.')[0]}.local`);
  }
  for (const h of opts.allowedHosts) {
    const n = hostOf(h);
    if (n) names.add(n);
  }
  let addresses = new Set<string>();
  let readAt = -Infinity;
  const ownAddresses = (): Set<string> => {
    const t = Date.now();
    if (t - readAt > refreshMs) {
      readAt = t;
      addresses = new Set();
      for (const list of Object.values(os.networkInterfaces())) {
        for (const a of list ?? []) addresses.add(normaliseIp(a.address));
      }
    }
    return addresses;
  };
  return (header) => {
    const h = hostOf(header);
    if (h === null) return false;
    if (names.has(h)) return true;
    return isIP(h) !== 0 && ownAddresses().has(h);
  };
}

export type OriginVerdict = 'ok' | 'cross-origin' | 'cross-site';

/**
 * Same-origin means the page was served by this device under the same Host.
 * Browsers always send Sec-Fetch-Site and send Origin on every
 * state-changing request, so a foreign page is caught by one or the other;
 * curl and scripts send neither and pass.
 */
export function checkOrigin(headers: { origin?: string; host?: string; 'sec-fetch-site'?: string | string[] }): OriginVerdict {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) {
    const v = Array.isArray(site) ? site.join(',') : site;
    if (v !== 'same-origin' && v !== 'none') return 'cross-site';
  }
  const origin = headers.origin;
  if (origin === undefined) return 'ok';
  let host: string;
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'cross-origin';
    host = u.host;
  } catch {
    // "null" (sandboxed frames, file: pages) and garbage alike.
    return 'cross-origin';
  }
  return host === (headers.host ?? '').toLowerCase() ? 'ok' : 'cross-origin';
}
