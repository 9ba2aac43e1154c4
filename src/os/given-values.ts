// Which wins after a restart: an attribute the admin gives (LIVEPLAYER_SRC
// and the other attribute variables, or the config file) or what the teacher
// chose since? The teacher's choice stands until the admin's value changes.
// To know whether it changed, the values last seen are kept in the state dir
// (<stateDir>/given.json).
import path from 'node:path';
import type { Attributes } from '../player/attributes';
import { readJson, writeJsonAtomic } from '../remote/state-file';

export const GIVEN_FILE = 'given.json';

export interface GivenOutcome {
  attributes: Attributes;
  /** Given attributes applied now: first seen, or their value changed since the last start. */
  applied: (keyof Attributes)[];
  /** Given attributes left as the teacher set them (same value as at the last start). */
  kept: (keyof Attributes)[];
  /** Set when the values could not be remembered (full or read-only state dir): the next start applies them again. */
  saveError?: Error;
}

/**
 * Starts from `base` (the saved attributes when `fromSaved`, else the
 * configured ones) and applies each given attribute whose value is new or
 * changed; remembers the given values. Called once by the daemon at start.
 * Without a record (first start, or a state dir from an older version) every
 * given attribute counts as changed, as before.
 */
export function applyGiven(stateDir: string, base: Attributes, fromSaved: boolean, given: Partial<Attributes>): GivenOutcome {
  const file = path.join(stateDir, GIVEN_FILE);
  const raw = readJson(file) as { seen?: Record<string, unknown> } | null;
  const seen = raw && typeof raw.seen === 'object' && raw.seen !== null ? raw.seen : null;
  const attributes = { ...base };
  const applied: (keyof Attributes)[] = [];
  const kept: (keyof Attributes)[] = [];
  for (const [k, v] of Object.entries(given) as [keyof Attributes, unknown][]) {
    const unchanged = fromSaved && seen !== null && Object.prototype.hasOwnProperty.call(seen, k) && JSON.stringify(seen[k]) === JSON.stringify(v);
    if (unchanged) {
      kept.push(k);
    } else {
      (attributes as Record<string, unknown>)[k] = v;
      applied.push(k);
    }
  }
  let saveError: Error | undefined;
  // Exactly the values given now: a variable removed and set again later counts as changed.
  if (JSON.stringify(seen ?? {}) !== JSON.stringify(given)) {
    try {
      writeJsonAtomic(file, { version: 1, seen: given });
    } catch (err) {
      saveError = err as Error;
    }
  }
  return { attributes, applied, kept, saveError };
}
