// Everything the client writes: protocol control replies and the three
// commands of a play session, already cut into chunks.

import { encodeAmf0 } from './amf0';
import { writeChunks } from './chunk-stream';

/** We never send a Set Chunk Size, so our outgoing chunk size stays the default. */
export const OUT_CHUNK_SIZE = 128;

const CSID_CONTROL = 2;
const CSID_COMMAND = 3;
const CSID_PLAY = 8;

export const enum MsgType {
  SetChunkSize = 1,
  Abort = 2,
  Acknowledgement = 3,
  UserControl = 4,
  WindowAckSize = 5,
  SetPeerBandwidth = 6,
  Audio = 8,
  Video = 9,
  DataAmf3 = 15,
  CommandAmf3 = 17,
  DataAmf0 = 18,
  CommandAmf0 = 20,
  Aggregate = 22,
}

export const enum UserControlEvent {
  StreamBegin = 0,
  StreamEof = 1,
  StreamDry = 2,
  SetBufferLength = 3,
  PingRequest = 6,
  PingResponse = 7,
}

export const TXN_CONNECT = 1;
export const TXN_CREATE_STREAM = 2;
const TXN_PLAY = 3;

function control(typeId: number, body: Buffer): Buffer {
  return writeChunks({ csid: CSID_CONTROL, typeId, streamId: 0, timestamp: 0, body }, OUT_CHUNK_SIZE);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

export function acknowledgement(sequence: number): Buffer {
  return control(MsgType.Acknowledgement, u32(sequence));
}

export function windowAckSize(size: number): Buffer {
  return control(MsgType.WindowAckSize, u32(size));
}

/** Answers a PingRequest with the same 4-byte timestamp it carried. */
export function pingResponse(timestampBytes: Buffer): Buffer {
  const body = Buffer.alloc(6);
  body.writeUInt16BE(UserControlEvent.PingResponse, 0);
  timestampBytes.copy(body, 2, 0, 4);
  return control(MsgType.UserControl, body);
}

export function connectCommand(app: string, tcUrl: string): Buffer {
  const body = encodeAmf0('connect', TXN_CONNECT, {
    app,
    flashVer: 'LNX 9,0,124,2',
    tcUrl,
    fpad: false,
    capabilities: 15,
    audioCodecs: 0x0fff,
    videoCodecs: 0x00ff,
    videoFunction: 1,
  });
  return writeChunks({ csid: CSID_COMMAND, typeId: MsgType.CommandAmf0, streamId: 0, timestamp: 0, body }, OUT_CHUNK_SIZE);
}

export function createStreamCommand(): Buffer {
  const body = encodeAmf0('createStream', TXN_CREATE_STREAM, null);
  return writeChunks({ csid: CSID_COMMAND, typeId: MsgType.CommandAmf0, streamId: 0, timestamp: 0, body }, OUT_CHUNK_SIZE);
}

/** `play` with start -1000: live if there is a live stream, else recorded (what ffmpeg and librtmp send). */
export function playCommand(streamId: number, stream: string): Buffer {
  const body = encodeAmf0('play', TXN_PLAY, null, stream, -1000);
  return writeChunks({ csid: CSID_PLAY, typeId: MsgType.CommandAmf0, streamId, timestamp: 0, body }, OUT_CHUNK_SIZE);
}
