// AMF0 (Action Message Format 0), the encoding of RTMP command and data
// messages. Only what a playing client needs: it encodes the few command
// shapes it sends and decodes whatever a server answers.

import { MAX_AMF_DEPTH } from '../limits';

export type AmfValue = number | boolean | string | null | undefined | Date | AmfObject | AmfValue[];
export interface AmfObject {
  [key: string]: AmfValue;
}

const enum Marker {
  Number = 0x00,
  Boolean = 0x01,
  String = 0x02,
  Object = 0x03,
  Null = 0x05,
  Undefined = 0x06,
  Reference = 0x07,
  EcmaArray = 0x08,
  ObjectEnd = 0x09,
  StrictArray = 0x0a,
  Date = 0x0b,
  LongString = 0x0c,
  Unsupported = 0x0d,
  XmlDocument = 0x0f,
  TypedObject = 0x10,
}

/** Thrown only inside `decodeAmf0`; callers treat it as a malformed message. */
export class AmfError extends Error {
  override name = 'AmfError';
}

function encodeString(s: string, withMarker: boolean): Buffer {
  const body = Buffer.from(s, 'utf8');
  const long = body.length > 0xffff;
  if (!withMarker && long) throw new AmfError('object key longer than 65535 bytes');
  const head = Buffer.alloc((withMarker ? 1 : 0) + (long ? 4 : 2));
  let o = 0;
  if (withMarker) head[o++] = long ? Marker.LongString : Marker.String;
  if (long) head.writeUInt32BE(body.length, o);
  else head.writeUInt16BE(body.length, o);
  return Buffer.concat([head, body]);
}

function encodeValue(v: AmfValue, out: Buffer[]): void {
  if (typeof v === 'number') {
    const b = Buffer.alloc(9);
    b[0] = Marker.Number;
    b.writeDoubleBE(v, 1);
    out.push(b);
  } else if (typeof v === 'boolean') {
    out.push(Buffer.from([Marker.Boolean, v ? 1 : 0]));
  } else if (typeof v === 'string') {
    out.push(encodeString(v, true));
  } else if (v === null) {
    out.push(Buffer.from([Marker.Null]));
  } else if (v === undefined) {
    out.push(Buffer.from([Marker.Undefined]));
  } else if (v instanceof Date) {
    const b = Buffer.alloc(11);
    b[0] = Marker.Date;
    b.writeDoubleBE(v.getTime(), 1);
    out.push(b);
  } else if (Array.isArray(v)) {
    const head = Buffer.alloc(5);
    head[0] = Marker.StrictArray;
    head.writeUInt32BE(v.length, 1);
    out.push(head);
    for (const item of v) encodeValue(item, out);
  } else {
    out.push(Buffer.from([Marker.Object]));
    for (const [key, item] of Object.entries(v)) {
      out.push(encodeString(key, false));
      encodeValue(item, out);
    }
    out.push(Buffer.from([0, 0, Marker.ObjectEnd]));
  }
}

/** Encodes a sequence of values, as a command message body is laid out. */
export function encodeAmf0(...values: AmfValue[]): Buffer {
  const out: Buffer[] = [];
  for (const v of values) encodeValue(v, out);
  return Buffer.concat(out);
}

class Cursor {
  /** Objects and arrays open around the value being decoded. */
  depth = 0;
  constructor(readonly buf: Buffer, public pos = 0) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new AmfError(`truncated AMF0 at byte ${this.pos} (need ${n} more)`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  double(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
  utf8(n: number): string {
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

function decodeProperties(c: Cursor, into: AmfObject): AmfObject {
  for (;;) {
    const key = c.utf8(c.u16());
    if (key === '' && c.buf[c.pos] === Marker.ObjectEnd) {
      c.pos++;
      return into;
    }
    into[key] = decodeValue(c);
  }
}

function decodeValue(c: Cursor): AmfValue {
  const marker = c.u8();
  if (marker === Marker.Object || marker === Marker.TypedObject || marker === Marker.EcmaArray || marker === Marker.StrictArray) {
    if (c.depth >= MAX_AMF_DEPTH) throw new AmfError(`AMF0 nesting deeper than ${MAX_AMF_DEPTH}`);
    c.depth++;
    try {
      return decodeContainer(c, marker);
    } finally {
      c.depth--;
    }
  }
  return decodeScalar(c, marker);
}

function decodeContainer(c: Cursor, marker: number): AmfValue {
  switch (marker) {
    case Marker.Object:
      return decodeProperties(c, {});
    case Marker.TypedObject:
      c.utf8(c.u16()); // class name: irrelevant to a player
      return decodeProperties(c, {});
    case Marker.EcmaArray:
      c.u32(); // the count is advisory; the end marker is authoritative
      return decodeProperties(c, {});
    default: {
      const n = c.u32();
      // Every element takes at least its marker byte: a count past the bytes left is a lie.
      if (n > c.buf.length - c.pos) throw new AmfError(`AMF0 strict array of ${n} elements in ${c.buf.length - c.pos} bytes`);
      const arr: AmfValue[] = [];
      for (let i = 0; i < n; i++) arr.push(decodeValue(c));
      return arr;
    }
  }
}

function decodeScalar(c: Cursor, marker: number): AmfValue {
  switch (marker) {
    case Marker.Number:
      return c.double();
    case Marker.Boolean:
      return c.u8() !== 0;
    case Marker.String:
      return c.utf8(c.u16());
    case Marker.LongString:
    case Marker.XmlDocument:
      return c.utf8(c.u32());
    case Marker.Date: {
      const ms = c.double();
      c.u16(); // time zone, unused by the format in practice
      return new Date(ms);
    }
    case Marker.Null:
      return null;
    case Marker.Undefined:
    case Marker.Unsupported:
      return undefined;
    case Marker.Reference:
      c.u16(); // references are never sent by the servers we talk to
      return undefined;
    default:
      throw new AmfError(`unknown AMF0 marker 0x${marker.toString(16)} at byte ${c.pos - 1}`);
  }
}

/** Decodes every value in `buf`; throws AmfError on malformed input. */
export function decodeAmf0(buf: Buffer): AmfValue[] {
  const c = new Cursor(buf);
  const out: AmfValue[] = [];
  while (c.pos < buf.length) out.push(decodeValue(c));
  return out;
}

/** Narrowing helper for command objects such as `{code, level, description}`. */
export function isAmfObject(v: AmfValue): v is AmfObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
