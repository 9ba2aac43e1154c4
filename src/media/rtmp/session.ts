// What the server's RTMP messages mean to a player: protocol control is
// answered at once, command results drive connect → createStream → play,
// onStatus codes become started/ended/failed, media becomes FLV tags.

import { performance } from 'node:perf_hooks';
import type { ReaderFailure } from '../types';
import type { EventGate } from '../connect';
import { splitAggregate } from '../flv-stream';
import { AmfError, decodeAmf0, isAmfObject, type AmfValue } from './amf0';
import type { RtmpMessage } from './chunk-stream';
import { MsgType, TXN_CONNECT, TXN_CREATE_STREAM, UserControlEvent, pingResponse, playCommand, windowAckSize } from './messages';
import type { RtmpTarget } from './url';

/** What the session needs from the connection that owns it. */
export interface SessionPort {
  write(b: Buffer): void;
  setChunkSize(n: number): void;
  abort(csid: number): void;
  setWindow(n: number): void;
  /** A video key frame came in (the acknowledgements may slow down to the window's pace). */
  keyFrame(): void;
  connected(): void;
  fail(f: ReaderFailure): void;
  ended(detail: string): void;
}

/** onStatus codes that mean the publisher stopped (2006), as nginx-rtmp and node-media-server send them. */
const END_CODES = new Set(['NetStream.Play.UnpublishNotify', 'NetStream.Play.Stop', 'NetStream.Play.Complete']);

function describe(info: AmfValue): string {
  if (!isAmfObject(info)) return JSON.stringify(info) ?? 'no info object';
  const code = typeof info.code === 'string' ? info.code : 'no code';
  return typeof info.description === 'string' && info.description ? `${code}: ${info.description}` : code;
}

export class RtmpSession {
  target: RtmpTarget | null = null;
  address: { address: string; port: number } | null = null;
  private started = false;
  private advertisedWindow = 0;
  private isConnected = false;

  constructor(private readonly gate: EventGate, private readonly port: SessionPort) {}

  onMessage(m: RtmpMessage): void {
    if (!this.gate.isOpen) return;
    switch (m.typeId) {
      case MsgType.SetChunkSize:
        if (m.body.length >= 4) this.port.setChunkSize(m.body.readUInt32BE(0) & 0x7fffffff);
        return;
      case MsgType.Abort:
        if (m.body.length >= 4) this.port.abort(m.body.readUInt32BE(0));
        return;
      case MsgType.WindowAckSize:
        if (m.body.length >= 4) this.port.setWindow(m.body.readUInt32BE(0));
        return;
      case MsgType.SetPeerBandwidth:
        // Answer with our window as Flash Player does; some servers wait for it.
        if (m.body.length >= 4) this.answerPeerBandwidth(m.body.readUInt32BE(0));
        return;
      case MsgType.UserControl:
        return this.onUserControl(m.body);
      case MsgType.CommandAmf0:
        return this.onCommand(m.body);
      case MsgType.CommandAmf3:
        return this.onCommand(m.body.subarray(1));
      case MsgType.Audio:
      case MsgType.Video:
      case MsgType.DataAmf0:
        return this.onMedia(m.typeId, m.timestamp, m.body);
      case MsgType.DataAmf3:
        // An AMF3 data message is AMF0 after one format byte.
        return this.onMedia(MsgType.DataAmf0, m.timestamp, m.body.subarray(1));
      case MsgType.Aggregate:
        for (const t of splitAggregate(m.body, m.timestamp)) this.onMedia(t.type, t.timestamp, t.data);
        return;
      default:
        return; // Acknowledgement and unknown types: nothing for a player to do.
    }
  }

  private onUserControl(body: Buffer): void {
    if (body.length < 6) return;
    const event = body.readUInt16BE(0);
    if (event === UserControlEvent.PingRequest) {
      this.port.write(pingResponse(body.subarray(2, 6)));
    } else if (event === UserControlEvent.StreamEof && this.started) {
      // How nginx-rtmp says the publisher stopped (measured: with its default
      // `publish_notify off` nothing else comes, and it keeps the socket open).
      this.port.ended(`StreamEOF (user control event 1) on stream ${body.readUInt32BE(2)}`);
    }
  }

  private answerPeerBandwidth(size: number): void {
    if (size === this.advertisedWindow) return;
    this.advertisedWindow = size;
    this.port.write(windowAckSize(size));
  }

  /** Media is accepted on any message stream id: node-media-server sends it on 0. */
  private onMedia(type: number, timestamp: number, data: Buffer): void {
    if (!this.started) {
      this.started = true;
      this.gate.started();
    }
    if (type === MsgType.Video && data.length > 0 && data[0] >> 4 === 1) this.port.keyFrame();
    this.gate.tag({ type: type as 8 | 9 | 18, timestamp, data }, performance.now());
  }

  private onCommand(body: Buffer): void {
    let values: AmfValue[];
    try {
      values = decodeAmf0(body);
    } catch (e) {
      const why = e instanceof AmfError ? e.message : String(e);
      const f: ReaderFailure = this.isConnected
        ? { code: 3005, kind: 'read', detail: `malformed AMF0 command: ${why}` }
        : { code: 3003, kind: 'handshake', detail: `peer does not speak RTMP: malformed AMF0 command: ${why}` };
      return this.port.fail(f);
    }
    const [name, txn, , info] = values;
    const where = this.address ? ` from ${this.address.address}:${this.address.port}` : '';
    if (name === '_result' && txn === TXN_CONNECT) {
      this.isConnected = true;
      this.port.connected();
    } else if (name === '_error' && txn === TXN_CONNECT) {
      this.port.fail({ code: 3003, kind: 'rejected', detail: `connect to app "${this.target?.app}" rejected${where}: ${describe(info)}` });
    } else if (name === '_result' && txn === TXN_CREATE_STREAM) {
      const id = typeof info === 'number' ? info : 1;
      this.port.write(playCommand(id, this.target!.stream));
    } else if (name === '_error' && txn === TXN_CREATE_STREAM) {
      this.port.fail({ code: null, kind: 'rejected', detail: `createStream rejected${where}: ${describe(info)}` });
    } else if (name === 'onStatus') {
      this.onStatus(info);
    }
  }

  private onStatus(info: AmfValue): void {
    const code = isAmfObject(info) && typeof info.code === 'string' ? info.code : '';
    const level = isAmfObject(info) ? info.level : undefined;
    if (code === 'NetStream.Play.Start') {
      if (!this.started) {
        this.started = true;
        this.gate.started();
      }
    } else if (END_CODES.has(code)) {
      this.port.ended(describe(info));
    } else if (level === 'error') {
      // Play.StreamNotFound, Play.Failed, BadConnection: the server refused the stream.
      this.port.fail({ code: null, kind: 'rejected', detail: `play "${this.target?.stream}" refused: ${describe(info)}` });
    }
  }
}
