// Finds and loads the phone page (src/remote/page/, not compiled) from the
// repository root, like pipeline-description.ts finds gst-pipelines/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { STATUS_CODES } from '../player/status-codes';
import { MESSAGE_RULES } from '../player/messages';

export function pageDir(): string {
  // dist/src/remote -> root; src/remote under a TS runner -> root as well.
  for (const up of ['../../..', '../..']) {
    const dir = path.resolve(__dirname, up, 'src', 'remote', 'page');
    try {
      readFileSync(path.join(dir, 'index.html'));
      return dir;
    } catch {
      /* try the next candidate */
    }
  }
  throw new Error('src/remote/page/ not found next to the program');
}

export interface PageFile {
  type: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** JSON that is safe inside a <script type="application/json"> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/**
 * The page's files by URL path. index.html gets the device name and the
 * status-code words and the advice table (src/player/messages.ts) embedded at load time (no extra request, no secret: the
 * token is never part of the page).
 */
export function loadPage(deviceName: string, dir = pageDir()): Map<string, PageFile> {
  const files = new Map<string, PageFile>();
  for (const name of ['index.html', 'app.js', 'style.css', 'icon.svg']) {
    let body: Buffer;
    try {
      body = readFileSync(path.join(dir, name));
    } catch {
      continue;
    }
    if (name === 'index.html') {
      const boot = scriptJson({ name: deviceName, codes: STATUS_CODES, messages: MESSAGE_RULES });
      body = Buffer.from(body.toString('utf8').replace('<!--BOOT-->', `<script type="application/json" id="boot">${boot}</script>`));
    }
    files.set(name === 'index.html' ? '/' : `/remote/${name}`, { type: TYPES[path.extname(name)]!, body });
  }
  return files;
}
