// The <live-player> attributes: their schema (the single source for HTTP,
// D-Bus, config and persistence validation), their defaults, and the check
// that refuses a bad patch as a whole so nothing half-applies.
import { Type, type Static } from '@sinclair/typebox';
import Ajv from 'ajv';
import { PlayerError } from './errors';
import { checkSrc } from './src-url';

export const AttributesSchema = Type.Object(
  {
    src: Type.String({ maxLength: 2048 }),
    mode: Type.Union([Type.Literal('live'), Type.Literal('RTC')]),
    autoplay: Type.Boolean(),
    muted: Type.Boolean(),
    /** Output level in percent, kept apart from `muted` (unmuting restores it). */
    volume: Type.Integer({ minimum: 0, maximum: 100 }),
    orientation: Type.Union([Type.Literal('vertical'), Type.Literal('horizontal')]),
    objectFit: Type.Union([Type.Literal('contain'), Type.Literal('fillCrop')]),
    backgroundMute: Type.Boolean(),
    minCache: Type.Number({ minimum: 0, maximum: 60 }),
    maxCache: Type.Number({ minimum: 0, maximum: 60 }),
    soundMode: Type.Union([Type.Literal('speaker'), Type.Literal('ear')]),
  },
  { additionalProperties: false },
);

export type Attributes = Static<typeof AttributesSchema>;

export const AttributesPatchSchema = Type.Partial(AttributesSchema, { additionalProperties: false });
export type AttributesPatch = Static<typeof AttributesPatchSchema>;

export const DEFAULT_ATTRIBUTES: Readonly<Attributes> = Object.freeze({
  src: '',
  mode: 'live',
  autoplay: false,
  muted: false,
  volume: 100,
  orientation: 'vertical',
  objectFit: 'contain',
  backgroundMute: false,
  minCache: 1,
  maxCache: 3,
  soundMode: 'speaker',
});

export const ATTRIBUTE_NAMES = Object.keys(DEFAULT_ATTRIBUTES) as (keyof Attributes)[];

const ajv = new Ajv({ allErrors: true, strict: false });
const validatePatch = ajv.compile(AttributesPatchSchema);

/**
 * Returns the attributes after `patch`, or throws InvalidArgument naming every
 * bad field. `current` is never modified, so a refused patch changes nothing.
 */
export function applyPatch(current: Attributes, patch: unknown, method = 'setAttributes'): Attributes {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw new PlayerError('InvalidArgument', method, 'attributes must be an object');
  }
  if (!validatePatch(patch)) {
    const why = (validatePatch.errors ?? [])
      .map((e) => `${e.instancePath.slice(1) || (e.params as { additionalProperty?: string }).additionalProperty || 'body'} ${e.message}`)
      .join('; ');
    throw new PlayerError('InvalidArgument', method, why);
  }
  const next: Attributes = { ...current, ...(patch as AttributesPatch) };
  if (next.src !== '') {
    const bad = checkSrc(next.src);
    if (bad) throw new PlayerError('InvalidArgument', method, `src ${bad}`);
  }
  if (next.minCache > next.maxCache) {
    throw new PlayerError('InvalidArgument', method, `minCache (${next.minCache}) must not exceed maxCache (${next.maxCache})`);
  }
  return next;
}

/** The names whose value differs between two attribute sets. */
export function changedKeys(a: Attributes, b: Attributes): (keyof Attributes)[] {
  return ATTRIBUTE_NAMES.filter((k) => a[k] !== b[k]);
}
