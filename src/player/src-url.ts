// What a playable address is. The WHATWG parser decides; only the four
// schemes the reader speaks pass, so `file:` and friends never reach a pipeline.

export const ALLOWED_SCHEMES = ['rtmp:', 'rtmps:', 'http:', 'https:'] as const;

/** Returns why `src` is not playable, or null when it is. */
export function checkSrc(src: string): string | null {
  if (src.length > 2048) return 'is longer than 2048 characters';
  let u: URL;
  try {
    u = new URL(src);
  } catch {
    return 'is not a URL';
  }
  if (!(ALLOWED_SCHEMES as readonly string[]).includes(u.protocol)) {
    return `scheme "${u.protocol.replace(/:$/, '')}" is not one of rtmp, rtmps, http, https`;
  }
  if (!u.hostname) return 'has no host';
  if (/[\s\u0000-\u001f]/.test(src)) return 'contains control characters or spaces';
  return null;
}
