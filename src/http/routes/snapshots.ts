// POST /api/v1/player/snapshot takes a picture; GET /api/v1/snapshots/<file>
// serves it. The file name is checked against a strict pattern by the schema
// and opened without following links, directly inside the snapshot folder.
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { PlayerError } from '../../player/errors';
import type { HttpDeps } from '../deps';
import { snapshot } from '../actions';
import { bearer, SnapshotBody, type SnapshotBodyT, SnapshotParams, type SnapshotParamsT, SnapshotReply, withErrors } from '../schemas';

export const snapshotRoutes: FastifyPluginAsync<{ deps: HttpDeps }> = async (app, { deps }) => {
  const root = path.resolve(deps.snapshotDir);

  app.post('/player/snapshot', {
    config: { op: 'snapshot' },
    schema: {
      summary: 'Captures the current picture: raw is lossless PNG, compressed is JPEG',
      tags: ['player'],
      security: bearer,
      body: SnapshotBody,
      response: withErrors({ 200: SnapshotReply }),
    },
    handler: async (req) => snapshot(deps.player, req.body as SnapshotBodyT | undefined, root),
  });

  app.get('/snapshots/:file', {
    config: { op: 'snapshots' },
    schema: {
      summary: 'A snapshot image (the tempImagePath of a snapshot answer)',
      tags: ['player'],
      security: bearer,
      params: SnapshotParams,
      response: withErrors({ 200: Type.String({ format: 'binary', description: 'image/png or image/jpeg' }) }),
    },
    handler: async (req, reply) => {
      const { file } = req.params as SnapshotParamsT;
      const full = path.join(root, file);
      // The pattern already forbids separators and dots-only names; this holds even if it changes.
      if (path.dirname(full) !== root) throw new PlayerError('NotFound', 'snapshots');
      let fh: fs.FileHandle;
      try {
        fh = await fs.open(full, constants.O_RDONLY | constants.O_NOFOLLOW);
      } catch {
        throw new PlayerError('NotFound', 'snapshots');
      }
      const st = await fh.stat();
      if (!st.isFile()) {
        await fh.close();
        throw new PlayerError('NotFound', 'snapshots');
      }
      void reply
        .type(file.endsWith('.png') ? 'image/png' : 'image/jpeg')
        .header('content-length', st.size)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff');
      return reply.send(fh.createReadStream());
    },
  });
};
