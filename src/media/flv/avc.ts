// H.264 decoder configuration from an FLV AVC sequence header: the
// AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.2.4.1) and the picture
// size in its first SPS (H.264 7.3.2.1.1). The meter reports videoWidth /
// videoHeight from it, and the 2009 detector compares it across headers,
// before any decoder has seen the stream.
import type { FlvTag } from '../types';
import { BitReader, unescapeRbsp } from './bits';
import { isAvcSequenceHeader } from './tags';

export interface SpsInfo {
  width: number;
  height: number;
  /** profile_idc: 66 baseline, 77 main, 100 high, ... */
  profile: number;
  /** level_idc ×10: 31 is level 3.1. */
  level: number;
  /** 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  chromaFormat: number;
  bitDepth: number;
  /** False for interlaced (field / MBAFF) coding. */
  frameMbsOnly: boolean;
}

export interface AvcDecoderConfig {
  profile: number;
  compatibility: number;
  level: number;
  /** Bytes in each NALU length prefix of the AVC frames (1, 2 or 4). */
  nalLengthSize: number;
  sps: Buffer[];
  pps: Buffer[];
}

// Profiles whose SPS carries chroma_format_idc, bit depths and scaling lists (7.3.2.1.1).
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Parses the record in an AVC sequence header's body after its 5-byte FLV video header. */
export function parseAvcDecoderConfig(record: Buffer): AvcDecoderConfig {
  if (record.length < 7 || record[0] !== 1) throw new RangeError('not an AVCDecoderConfigurationRecord');
  let p = 5;
  const list = (count: number): Buffer[] => {
    const out: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (p + 2 > record.length) throw new RangeError('parameter set list truncated');
      const len = record.readUInt16BE(p);
      if (p + 2 + len > record.length) throw new RangeError('parameter set truncated');
      out.push(record.subarray(p + 2, p + 2 + len));
      p += 2 + len;
    }
    return out;
  };
  const sps = list(record[p++]! & 0x1f);
  const pps = p < record.length ? list(record[p++]!) : [];
  return {
    profile: record[1]!,
    compatibility: record[2]!,
    level: record[3]!,
    nalLengthSize: (record[4]! & 3) + 1,
    sps,
    pps,
  };
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** Parses an SPS NAL unit (with its one-byte NAL header) down to the cropped picture size. */
export function parseSps(nal: Buffer): SpsInfo {
  if (nal.length < 4 || (nal[0]! & 0x1f) !== 7) throw new RangeError('not an SPS NAL unit');
  const r = new BitReader(unescapeRbsp(nal.subarray(1)));
  const profile = r.u(8);
  r.skip(8); // constraint_set flags
  const level = r.u(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let separateColourPlane = 0;
  let bitDepth = 8;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = r.ue();
    if (chromaFormat === 3) separateColourPlane = r.u1();
    bitDepth = r.ue() + 8;
    r.ue(); // bit_depth_chroma_minus8
    r.u1(); // qpprime_y_zero_transform_bypass_flag
    if (r.u1()) {
      const lists = chromaFormat !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) if (r.u1()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.u1(); // delta_pic_order_always_zero_flag
    r.se();
    r.se();
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.u1(); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.u1() === 1;
  if (!frameMbsOnly) r.u1(); // mb_adaptive_frame_field_flag
  r.u1(); // direct_8x8_inference_flag
  let width = widthMbs * 16;
  let height = (frameMbsOnly ? 1 : 2) * heightMapUnits * 16;
  if (r.u1()) {
    const [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
    // Crop offsets count chroma samples (Table 6-1), doubled vertically for field coding.
    const chromaArrayType = separateColourPlane ? 0 : chromaFormat;
    const unitX = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const unitY = (chromaArrayType === 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
    width -= (left + right) * unitX;
    height -= (top + bottom) * unitY;
  }
  if (width <= 0 || height <= 0) throw new RangeError('SPS crops the picture away');
  return { width, height, profile, level, chromaFormat, bitDepth, frameMbsOnly };
}

/** Picture size and profile of an AVC sequence header tag; null for any other tag or a malformed header. */
export function avcInfo(tag: FlvTag): SpsInfo | null {
  if (!isAvcSequenceHeader(tag)) return null;
  try {
    const cfg = parseAvcDecoderConfig(tag.data.subarray(5));
    return cfg.sps.length > 0 ? parseSps(cfg.sps[0]!) : null;
  } catch {
    return null;
  }
}

/**
 * Identity of a decoder configuration: equal keys mean the decoder needs no
 * reconfiguration. Null for tags that are not AVC sequence headers.
 */
export function spsKey(tag: FlvTag): string | null {
  return isAvcSequenceHeader(tag) ? tag.data.subarray(5).toString('base64') : null;
}
