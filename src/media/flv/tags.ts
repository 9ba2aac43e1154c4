// Classification of FLV tag bodies (FLV spec v10.1, E.4.2 / E.4.3). The muxer,
// the netstatus meter and the detectors all ask the same questions of a tag
// ("is this a key frame?", "is this a decoder configuration?"), so the bit
// layout lives here once. Enhanced RTMP (ExVideoTagHeader, HEVC/AV1) is not
// handled: such tags read as a non-AVC codec and are never key frames here.
import type { FlvTag } from '../types';

export const TAG_AUDIO = 8;
export const TAG_VIDEO = 9;
export const TAG_SCRIPT = 18;

export const VIDEO_CODEC_AVC = 7;
export const FRAME_TYPE_KEY = 1;
/** Frame type 5 carries a command (seek start/end), not a picture. */
export const FRAME_TYPE_COMMAND = 5;
export const AVC_SEQUENCE_HEADER = 0;
export const AVC_NALU = 1;

export const AUDIO_FORMAT_AAC = 10;
export const AAC_SEQUENCE_HEADER = 0;
export const AAC_RAW = 1;

/** Video codec id (low nibble of the first body byte), null for other tags or an empty body. */
export function videoCodecId(tag: FlvTag): number | null {
  return tag.type === TAG_VIDEO && tag.data.length > 0 ? tag.data[0]! & 0x0f : null;
}

const VIDEO_CODEC_NAMES: Record<number, string> = {
  1: 'JPEG',
  2: 'Sorenson H.263',
  3: 'Screen Video',
  4: 'VP6',
  5: 'VP6 with alpha',
  6: 'Screen Video 2',
  // Not in the FLV spec, but what Chinese CDNs and encoders send for H.265 and AV1.
  12: 'HEVC',
  13: 'AV1',
};
const EX_FOURCC_NAMES: Record<string, string> = { hvc1: 'HEVC', av01: 'AV1', vp09: 'VP9', avc1: 'H.264' };

/**
 * The name of a video tag's codec when it is not H.264, the only one the
 * pipelines decode (null for H.264, command frames and other tags). Reads
 * the codec id, and the FourCC of an Enhanced RTMP header (IsExHeader set).
 */
export function unsupportedVideoCodec(tag: FlvTag): string | null {
  if (tag.type !== TAG_VIDEO || tag.data.length === 0) return null;
  const first = tag.data[0]!;
  if (first & 0x80) {
    const fourcc = tag.data.length >= 5 ? tag.data.subarray(1, 5).toString('latin1') : '';
    return fourcc === 'avc1' ? null : (EX_FOURCC_NAMES[fourcc] ?? `FourCC ${JSON.stringify(fourcc)}`);
  }
  if (videoFrameType(tag) === FRAME_TYPE_COMMAND) return null;
  const id = first & 0x0f;
  return id === VIDEO_CODEC_AVC ? null : (VIDEO_CODEC_NAMES[id] ?? `FLV codec id ${id}`);
}

/** Video frame type (high nibble): 1 key, 2 inter, 3 disposable inter, 5 command. */
export function videoFrameType(tag: FlvTag): number | null {
  return tag.type === TAG_VIDEO && tag.data.length > 0 ? (tag.data[0]! >> 4) & 0x07 : null;
}

/** AVCPacketType: 0 sequence header, 1 NALU, 2 end of sequence; null when not AVC or a command frame. */
export function avcPacketType(tag: FlvTag): number | null {
  if (videoCodecId(tag) !== VIDEO_CODEC_AVC || tag.data.length < 2) return null;
  // A command frame's second byte is the command (seek start/end), not a packet type.
  if (videoFrameType(tag) === FRAME_TYPE_COMMAND) return null;
  return tag.data[1]!;
}

/** AVC composition time offset (PTS - DTS, ms, signed 24 bit); 0 when not an AVC NALU. */
export function avcCompositionTime(tag: FlvTag): number {
  if (avcPacketType(tag) !== AVC_NALU || tag.data.length < 5) return 0;
  const v = tag.data.readUIntBE(2, 3);
  return v & 0x800000 ? v - 0x1000000 : v;
}

/** SoundFormat (high nibble of the first body byte): 10 AAC, 2 MP3, ... */
export function audioFormat(tag: FlvTag): number | null {
  return tag.type === TAG_AUDIO && tag.data.length > 0 ? tag.data[0]! >> 4 : null;
}

/** AACPacketType: 0 AudioSpecificConfig, 1 raw frame; null when not AAC. */
export function aacPacketType(tag: FlvTag): number | null {
  if (audioFormat(tag) !== AUDIO_FORMAT_AAC || tag.data.length < 2) return null;
  return tag.data[1]!;
}

export function isAvcSequenceHeader(tag: FlvTag): boolean {
  return avcPacketType(tag) === AVC_SEQUENCE_HEADER;
}

export function isAacSequenceHeader(tag: FlvTag): boolean {
  return aacPacketType(tag) === AAC_SEQUENCE_HEADER;
}

/** Any decoder configuration tag: the muxer always passes these, the meter never counts them as frames. */
export function isSequenceHeader(tag: FlvTag): boolean {
  return isAvcSequenceHeader(tag) || isAacSequenceHeader(tag);
}

/**
 * A tag that carries a picture or a block of sound: what a decoder consumes.
 * Sequence headers, AVC end-of-sequence, command frames and script data are not.
 */
export function isMediaFrame(tag: FlvTag): boolean {
  if (tag.type === TAG_AUDIO) {
    if (tag.data.length < 2) return false;
    return audioFormat(tag) !== AUDIO_FORMAT_AAC || aacPacketType(tag) === AAC_RAW;
  }
  if (tag.type !== TAG_VIDEO || tag.data.length < 2) return false;
  if (videoFrameType(tag) === FRAME_TYPE_COMMAND) return false;
  return videoCodecId(tag) !== VIDEO_CODEC_AVC || avcPacketType(tag) === AVC_NALU;
}

/** A video picture a decoder can start on (an IDR for AVC). A sequence header is not one. */
export function isVideoKeyFrame(tag: FlvTag): boolean {
  return tag.type === TAG_VIDEO && videoFrameType(tag) === FRAME_TYPE_KEY && isMediaFrame(tag);
}

/** Bytes of codec payload (the body less its FLV audio/video header; script data whole), for bit rates. */
export function payloadBytes(tag: FlvTag): number {
  let header = 0;
  if (tag.type === TAG_VIDEO) header = videoCodecId(tag) === VIDEO_CODEC_AVC ? 5 : 1;
  else if (tag.type === TAG_AUDIO) header = audioFormat(tag) === AUDIO_FORMAT_AAC ? 2 : 1;
  return Math.max(0, tag.data.length - header);
}
