// LIVEPLAYER_CHANNELS: channels (named stream addresses) set for a whole
// fleet at once, as JSON. A bad value never stops the daemon: what can be
// used is used, and every problem comes back as one warning line for the
// log and the TV's idle screen.
import { checkSrc } from '../player/src-url';

/** A channel the fleet sets; the device gives it a stable id (see src/remote/channels.ts). */
export interface FleetChannel {
  name: string;
  src: string;
}

export const FLEET_CHANNELS_ENV = 'LIVEPLAYER_CHANNELS';
/** As many as a device stores itself. */
export const MAX_FLEET_CHANNELS = 100;

/**
 * Reads the variable's text: a JSON list of {name, src} (an `id` is allowed
 * and ignored), or the `{channels: [...]}` object a device's channels.json
 * holds, so a teacher's list can be copied to the fleet as it is.
 */
export function parseFleetChannels(text: string): { channels: FleetChannel[]; warnings: string[] } {
  const where = FLEET_CHANNELS_ENV;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { channels: [], warnings: [`${where} is not valid JSON (${(err as Error).message}); no fleet channels`] };
  }
  const list = Array.isArray(value) ? value : (value as { channels?: unknown } | null)?.channels;
  if (!Array.isArray(list)) return { channels: [], warnings: [`${where} must be a JSON list of {"name","src"}; no fleet channels`] };
  const channels: FleetChannel[] = [];
  const bad: string[] = [];
  const names = new Set<string>();
  list.forEach((item: unknown, i) => {
    const c = item as { name?: unknown; src?: unknown } | null;
    const name = typeof c?.name === 'string' ? c.name.trim() : '';
    const problem =
      typeof c !== 'object' || c === null
        ? 'not an object'
        : name === '' || name.length > 60 || /[\u0000-\u001f\u007f]/.test(name)
          ? 'name must be visible text of 1 to 60 characters'
          : typeof c.src !== 'string' || c.src.length > 2048
            ? 'src must be a string'
            : (checkSrc(c.src) ?? (names.has(name.toLowerCase()) ? 'name used twice' : channels.length >= MAX_FLEET_CHANNELS ? `more than ${MAX_FLEET_CHANNELS} channels` : null));
    if (problem) {
      bad.push(`#${i + 1} ${problem}`);
      return;
    }
    names.add(name.toLowerCase());
    channels.push({ name, src: c!.src as string });
  });
  const warnings = bad.length ? [`${where}: ${bad.length} channel(s) left out (${bad.slice(0, 5).join('; ')}${bad.length > 5 ? '; …' : ''})`] : [];
  return { channels, warnings };
}
