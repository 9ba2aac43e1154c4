// Named stream addresses ("channels") kept on the device, so a teacher picks
// "Grade 3 maths" instead of typing an RTMP address on a phone. Stored in
// <stateDir>/channels.json (0600); every src passes the player's checkSrc.
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { EdgeError } from '../http/errors';
import { PlayerError } from '../player/errors';
import { checkSrc } from '../player/src-url';
import { readJson, writeJsonAtomic } from './state-file';
import type { FleetChannel } from '../config/fleet-channels';

export const CHANNELS_FILE = 'channels.json';
export const MAX_CHANNELS = 100;

const closed = { additionalProperties: false } as const;
const Name = Type.String({ minLength: 1, maxLength: 60 });
const Src = Type.String({ minLength: 1, maxLength: 2048 });

export const ChannelSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[0-9a-f]{16}$' }),
    name: Name,
    src: Src,
    /** Set fleet-wide (LIVEPLAYER_CHANNELS): read-only here; a teacher's channel of the same name replaces it on this TV. */
    fleet: Type.Optional(Type.Boolean()),
  },
  closed,
);
export type Channel = Static<typeof ChannelSchema>;
export const ChannelCreate = Type.Object({ name: Name, src: Src }, closed);
export const ChannelPatch = Type.Object({ name: Type.Optional(Name), src: Type.Optional(Src) }, { ...closed, minProperties: 1 });
export const ChannelParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$' }) }, closed);
export const ChannelList = Type.Object({ channels: Type.Array(ChannelSchema) }, closed);

function cleanName(name: string, method: string): string {
  const n = name.trim();
  if (n === '' || /[\u0000-\u001f\u007f]/.test(n)) throw new PlayerError('InvalidArgument', method, 'name must be visible text');
  return n;
}

function validSrc(src: string, method: string): string {
  const bad = checkSrc(src);
  if (bad) throw new PlayerError('InvalidArgument', method, `src ${bad}`);
  return src;
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Where saving failed or worked again; the daemon turns it into /healthz and a log line. */
export type SaveReport = (file: string, err: Error | null) => void;

export class ChannelStore {
  private readonly file: string;
  private list: Channel[] = [];
  private readonly fleet: Channel[];

  /**
   * `fleet`: channels set for every TV (LIVEPLAYER_CHANNELS). They are listed
   * after the teacher's, each with an id that stays the same across restarts,
   * unless the teacher saved one of the same name (case-insensitive), which wins.
   */
  constructor(stateDir: string, fleet: readonly FleetChannel[] = [], private readonly onSave?: SaveReport) {
    this.fleet = fleet.map((f) => ({ id: createHash('sha256').update(`fleet\0${f.name}`).digest('hex').slice(0, 16), name: f.name, src: f.src, fleet: true }));
    this.file = path.join(stateDir, CHANNELS_FILE);
    const raw = readJson(this.file) as { channels?: unknown } | null;
    const items = Array.isArray(raw?.channels) ? raw.channels : [];
    this.list = items.filter(
      (c): c is Channel =>
        typeof c === 'object' && c !== null && /^[0-9a-f]{16}$/.test((c as Channel).id) && typeof (c as Channel).name === 'string' && typeof (c as Channel).src === 'string' && checkSrc((c as Channel).src) === null,
    );
  }

  all(): Channel[] {
    const own = this.list.map((c) => ({ ...c }));
    return own.concat(this.fleet.filter((f) => !this.list.some((c) => sameName(c.name, f.name))).map((f) => ({ ...f })));
  }

  private refuseFleet(id: string): void {
    if (this.fleet.some((f) => f.id === id) && !this.list.some((c) => c.id === id))
      throw new EdgeError('Forbidden', 'channels', 'this channel is set for the whole fleet (LIVEPLAYER_CHANNELS); save a channel of the same name to replace it on this TV');
  }

  add(name: string, src: string): Channel {
    if (this.list.length >= MAX_CHANNELS) throw new PlayerError('InvalidArgument', 'channels', `at most ${MAX_CHANNELS} channels`);
    const c: Channel = { id: randomBytes(8).toString('hex'), name: cleanName(name, 'channels'), src: validSrc(src, 'channels') };
    this.list.push(c);
    this.save();
    return { ...c };
  }

  update(id: string, patch: { name?: string; src?: string }): Channel {
    this.refuseFleet(id);
    const c = this.list.find((x) => x.id === id);
    if (!c) throw new PlayerError('NotFound', 'channels');
    const name = patch.name === undefined ? c.name : cleanName(patch.name, 'channels');
    const src = patch.src === undefined ? c.src : validSrc(patch.src, 'channels');
    c.name = name;
    c.src = src;
    this.save();
    return { ...c };
  }

  remove(id: string): void {
    this.refuseFleet(id);
    const i = this.list.findIndex((x) => x.id === id);
    if (i < 0) throw new PlayerError('NotFound', 'channels');
    this.list.splice(i, 1);
    this.save();
  }

  // A full or read-only state dir keeps the change in memory until the next restart; the daemon reports it.
  private save(): void {
    try {
      writeJsonAtomic(this.file, { version: 1, channels: this.list });
      this.onSave?.(this.file, null);
    } catch (err) {
      if (!this.onSave) throw err;
      this.onSave(this.file, err as Error);
    }
  }
}
