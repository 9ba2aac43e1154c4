// The OpenAPI operationId of every route: the LivePlayerContext method where
// the route is one (play, setAttributes, snapshot, ...), a verb and a noun
// otherwise. Generated clients name their functions after these, so they are
// part of the contract: add, never rename.
import { API } from './schemas';

/** Routes that are not a LivePlayerContext method, by "METHOD /path". */
const NAMED: Readonly<Record<string, string>> = {
  'GET /api/v1/player': 'getPlayer',
  'PATCH /api/v1/player': 'setAttributes',
  'GET /api/v1/snapshots/{file}': 'getSnapshot',
  'GET /api/v1/events': 'subscribeEvents',
  'GET /api/v1/pairing': 'getPairing',
  'POST /api/v1/pairing/show': 'showPairingCode',
  'DELETE /api/v1/sessions': 'revokeSessions',
  'GET /api/v1/openapi.json': 'getOpenApi',
  'GET /api/v1/channels': 'listChannels',
  'POST /api/v1/channels': 'addChannel',
  'PATCH /api/v1/channels/{id}': 'updateChannel',
  'DELETE /api/v1/channels/{id}': 'deleteChannel',
  'GET /api/v1/tv/screen.png': 'getTvScreen',
  'GET /healthz': 'getHealth',
  'GET /metrics': 'getMetrics',
  'GET /pair': 'pair',
};

const PLAYER_METHOD = new RegExp(`^POST ${API.replace(/\//g, '\\/')}\\/player\\/([A-Za-z]+)$`);

const words = (path: string): string[] =>
  path
    .replace(API, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);

/**
 * The operationId for a route; @fastify/swagger's `transform` calls it for
 * every route. A route added without an entry above still gets a unique,
 * readable id (method and path words), e.g. "getFooBar" for GET /api/v1/foo/bar.
 */
export function operationId(method: string, url: string): string {
  const path = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  const key = `${method.toUpperCase()} ${path}`;
  if (NAMED[key]) return NAMED[key]!;
  const m = PLAYER_METHOD.exec(key);
  if (m) return m[1]!;
  const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);
  return method.toLowerCase() + words(path).map(cap).join('') || 'root';
}
