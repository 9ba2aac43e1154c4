// The package's version, for --version and liveplayer_build_info. Read from
// package.json once, relative to the compiled file (dist/src/version.js).
import { readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | null = null;

export function packageVersion(): string {
  if (cached === null) {
    try {
      cached = (JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
