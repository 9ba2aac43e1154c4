// Named stream addresses ("channels") kept on the device, so a teacher picks
// "Grade 3 maths" instead of typing an RTMP address on a phone. Stored in
// <stateDir>/channels.json (0600); every src passes the player's checkSrc.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { PlayerError } from '../player/errors';
import { checkSrc } from '../player/src-url';
import { readJson, writeJsonAtomic } from './state-file';

export const CHANNELS_FILE = 'channels.json';
export const MAX_CHANNELS = 100;

const closed = { additionalProperties: false } as const;
const Name = Type.String({ minLength: 1, maxLength: 60 });
const Src = Type.String({ minLength: 1, maxLength: 2048 });

export const ChannelSchema = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$' }), name: Name, src: Src }, closed);
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

export class ChannelStore {
  private readonly file: string;
  private list: Channel[] = [];

  constructor(stateDir: string) {
    this.file = path.join(stateDir, CHANNELS_FILE);
    const raw = readJson(this.file) as { channels?: unknown } | null;
    const items = Array.isArray(raw?.channels) ? raw.channels : [];
    this.list = items.filter(
      (c): c is Channel =>
        typeof c === 'object' && c !== null && /^[0-9a-f]{16}$/.test((c as Channel).id) && typeof (c as Channel).name === 'string' && typeof (c as Channel).src === 'string' && checkSrc((c as Channel).src) === null,
    );
  }

  all(): Channel[] {
    return this.list.map((c) => ({ ...c }));
  }

  add(name: string, src: string): Channel {
    if (this.list.length >= MAX_CHANNELS) throw new PlayerError('InvalidArgument', 'channels', `at most ${MAX_CHANNELS} channels`);
    const c: Channel = { id: randomBytes(8).toString('hex'), name: cleanName(name, 'channels'), src: validSrc(src, 'channels') };
    this.list.push(c);
    this.save();
    return { ...c };
  }

  update(id: string, patch: { name?: string; src?: string }): Channel {
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
    const i = this.list.findIndex((x) => x.id === id);
    if (i < 0) throw new PlayerError('NotFound', 'channels');
    this.list.splice(i, 1);
    this.save();
  }

  private save(): void {
    writeJsonAtomic(this.file, { version: 1, channels: this.list });
  }
}
