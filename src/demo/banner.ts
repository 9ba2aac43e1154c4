// What `--demo` tells the person who started it: how to pair a phone, where
// the API token is, and a curl line that works as printed. Written to stderr
// so stdout stays one JSON log line per line for journald and scripts.

export interface BannerFacts {
  src: string;
  /** The pairing address with its one-time code, as the TV's QR code holds it. */
  pairUrl: string | null;
  /** The token file, or null when the token was given with --token / LIVEPLAYER_TOKEN. */
  tokenFile: string | null;
  /** Where the API answers on this machine, e.g. http://127.0.0.1:8080. */
  apiBase: string | null;
}

export function demoBanner(f: BannerFacts): string {
  const lines = [`liveplayerd demo: playing a built-in test stream (${f.src})`];
  if (f.pairUrl) lines.push(`  Pair a phone:  open ${f.pairUrl}`, '                 (one use, valid 10 minutes; the TV shows it as a QR code)');
  else lines.push('  Pair a phone:  the HTTP surface is off (--http off); use D-Bus or playerctl');
  lines.push(`  API token:     ${f.tokenFile ?? 'the one given with --token or LIVEPLAYER_TOKEN'}`);
  if (f.apiBase) {
    const token = f.tokenFile ? `$(cat ${f.tokenFile})` : '$LIVEPLAYER_TOKEN';
    lines.push(`  Try:           curl -H "Authorization: Bearer ${token}" ${f.apiBase}/api/v1/player`);
  }
  lines.push('  Stop with Ctrl-C.');
  return `${lines.join('\n')}\n`;
}
