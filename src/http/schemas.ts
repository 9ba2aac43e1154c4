// Request and response schemas of the HTTP surface, written once: fastify
// validates and serialises with them and @fastify/swagger turns them into
// /api/v1/openapi.json. The attribute shapes come from the player's own schema.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AttributesPatchSchema, AttributesSchema } from '../player/attributes';
import { PLAYER_STATES } from '../player/state';

/** Base path of every token-protected route. */
export const API = '/api/v1';

const closed = { additionalProperties: false } as const;

export const ErrMsg = Type.Object({ errMsg: Type.String({ examples: ['play:fail no src set'] }) }, closed);

export const StateSchema = Type.Union(PLAYER_STATES.map((s) => Type.Literal(s)));
export const DirectionSchema = Type.Union([Type.Literal(0), Type.Literal(90), Type.Literal(-90)]);

export const FullScreenSchema = Type.Object({ fullScreen: Type.Boolean(), direction: DirectionSchema }, closed);

/** netstatus info: the spec's keys (videoBitrate, netSpeed, ...) and any the engine adds, all numbers. */
export const NetStatusSchema = Type.Record(Type.String({ maxLength: 64 }), Type.Number());

export const LastCodeSchema = Type.Object({ code: Type.Integer(), message: Type.String(), at: Type.String({ format: 'date-time' }) }, closed);

export const PlayerViewSchema = Type.Object(
  {
    attributes: AttributesSchema,
    state: StateSchema,
    fullScreen: FullScreenSchema,
    pictureInPicture: Type.Boolean(),
    lastCode: Type.Union([LastCodeSchema, Type.Null()]),
    netStatus: NetStatusSchema,
    /** While `waiting`: since when the lesson has been gone and the code that ended it. */
    waiting: Type.Optional(Type.Object({ since: Type.String({ format: 'date-time' }), code: Type.Integer(), message: Type.String() }, closed)),
  },
  closed,
);

export const PatchBody = AttributesPatchSchema;

export const FullScreenBody = Type.Object({ direction: Type.Optional(DirectionSchema) }, closed);
export type FullScreenBodyT = Static<typeof FullScreenBody>;

export const SnapshotBody = Type.Object(
  {
    quality: Type.Optional(Type.Union([Type.Literal('raw'), Type.Literal('compressed')])),
    sourceType: Type.Optional(Type.Union([Type.Literal('stream'), Type.Literal('view')])),
  },
  closed,
);
export type SnapshotBodyT = Static<typeof SnapshotBody>;

export const SnapshotReply = Type.Object(
  {
    errMsg: Type.String(),
    tempImagePath: Type.String({ pattern: '^/api/v1/snapshots/[A-Za-z0-9_-]+\\.(png|jpg)$' }),
    width: Type.Integer({ minimum: 0 }),
    height: Type.Integer({ minimum: 0 }),
  },
  closed,
);

/** The only snapshot file names served; anything else is refused before the disk is touched. */
export const SNAPSHOT_FILE = /^[A-Za-z0-9_-]+\.(png|jpg)$/;
export const SnapshotParams = Type.Object({ file: Type.String({ pattern: SNAPSHOT_FILE.source, maxLength: 128 }) }, closed);
export type SnapshotParamsT = Static<typeof SnapshotParams>;

export const PairingReply = Type.Object({ url: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }, closed);

export const HealthReply = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    /** Only when degraded: one sentence per condition an admin should fix (e.g. the state dir is full). */
    reasons: Type.Optional(Type.Array(Type.String())),
  },
  closed,
);

/** Error answers every route can give (401/403/404/409/413/415/429/5xx all carry errMsg). */
export function withErrors<T extends Record<number, TSchema>>(ok: T): T & { '4xx': typeof ErrMsg; '5xx': typeof ErrMsg } {
  return { ...ok, '4xx': ErrMsg, '5xx': ErrMsg };
}

export const bearer = [{ bearerAuth: [] as string[] }];
