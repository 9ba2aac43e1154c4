// Tag classes for the bodies real files rarely show (command frames, end of
// sequence, MP3, other codecs); the common ones are checked against ffprobe
// in flv-parser.test.ts (this folder).
import t from 'tap';
import { avcCompositionTime, isAacSequenceHeader, isAvcSequenceHeader, isMediaFrame, isVideoKeyFrame, payloadBytes, unsupportedVideoCodec } from '../../../src/media/flv/tags';
import type { FlvTag } from '../../../src/media/types';

const tag = (type: 8 | 9 | 18, ...bytes: number[]): FlvTag => ({ type, timestamp: 0, data: Buffer.from(bytes) });

const cases: Array<{ name: string; tag: FlvTag; want: [key: boolean, media: boolean, avcHeader: boolean, aacHeader: boolean]; payload: number }> = [
  { name: 'AVC key frame NALU', tag: tag(9, 0x17, 1, 0, 0, 0, 0x65), want: [true, true, false, false], payload: 1 },
  { name: 'AVC inter frame', tag: tag(9, 0x27, 1, 0, 0, 0x21, 0x41), want: [false, true, false, false], payload: 1 },
  { name: 'AVC sequence header (frame type 1, not a frame)', tag: tag(9, 0x17, 0, 0, 0, 0, 1, 66), want: [false, false, true, false], payload: 2 },
  { name: 'AVC end of sequence', tag: tag(9, 0x17, 2, 0, 0, 0), want: [false, false, false, false], payload: 0 },
  { name: 'video command frame', tag: tag(9, 0x57, 0), want: [false, false, false, false], payload: 0 },
  { name: 'Sorenson H.263 key frame', tag: tag(9, 0x12, 0, 0), want: [true, true, false, false], payload: 2 },
  { name: 'empty video body', tag: tag(9), want: [false, false, false, false], payload: 0 },
  { name: 'AAC raw frame', tag: tag(8, 0xaf, 1, 0x21, 0x10), want: [false, true, false, false], payload: 2 },
  { name: 'AAC sequence header', tag: tag(8, 0xaf, 0, 0x12, 0x10), want: [false, false, false, true], payload: 2 },
  { name: 'MP3 frame', tag: tag(8, 0x2f, 0xff, 0xfb), want: [false, true, false, false], payload: 2 },
  { name: 'script data', tag: tag(18, 2, 0, 10), want: [false, false, false, false], payload: 3 },
];

t.test('classes and payload size per tag', async (t) => {
  for (const c of cases) {
    t.same([isVideoKeyFrame(c.tag), isMediaFrame(c.tag), isAvcSequenceHeader(c.tag), isAacSequenceHeader(c.tag)], c.want, c.name);
    t.equal(payloadBytes(c.tag), c.payload, `${c.name}: payload bytes`);
  }
});

t.test('composition time is a signed 24-bit value', async (t) => {
  t.equal(avcCompositionTime(tag(9, 0x27, 1, 0, 0, 67)), 67);
  t.equal(avcCompositionTime(tag(9, 0x27, 1, 0xff, 0xff, 0xde)), -34);
  t.equal(avcCompositionTime(tag(9, 0x17, 0, 0, 0, 67)), 0, 'a sequence header has none');
});

t.test('a video codec other than H.264 is named, in the classic header and in Enhanced RTMP', async (t) => {
  const fourcc = (s: string) => [...Buffer.from(s, 'latin1')];
  const cases: Array<[string, FlvTag, string | null]> = [
    ['AVC key frame', tag(9, 0x17, 1, 0, 0, 0, 0x65), null],
    ['AVC sequence header', tag(9, 0x17, 0, 0, 0, 0, 1), null],
    ['a command frame names no codec', tag(9, 0x5c, 0), null],
    ['audio', tag(8, 0xaf, 1, 0x21), null],
    ['script', tag(18, 2, 0, 10), null],
    ['an empty video tag', tag(9), null],
    ['HEVC as codec id 12', tag(9, 0x1c, 1, 0, 0, 0), 'HEVC'],
    ['AV1 as codec id 13', tag(9, 0x2d, 1), 'AV1'],
    ['VP6', tag(9, 0x14, 0), 'VP6'],
    ['Sorenson H.263', tag(9, 0x22, 0), 'Sorenson H.263'],
    ['an unknown codec id', tag(9, 0x19, 0), 'FLV codec id 9'],
    ['Enhanced RTMP hvc1 (IsExHeader, key frame, coded frames)', tag(9, 0x80 | 0x10 | 1, ...fourcc('hvc1'), 0, 0, 0), 'HEVC'],
    ['Enhanced RTMP av01', tag(9, 0x80 | 0x10, ...fourcc('av01')), 'AV1'],
    ['Enhanced RTMP vp09', tag(9, 0x80 | 0x20 | 1, ...fourcc('vp09')), 'VP9'],
    ['Enhanced RTMP avc1 is H.264', tag(9, 0x80 | 0x10 | 1, ...fourcc('avc1')), null],
    ['Enhanced RTMP with an unknown FourCC', tag(9, 0x90, ...fourcc('xyz1')), 'FourCC "xyz1"'],
  ];
  for (const [name, tg, want] of cases) t.equal(unsupportedVideoCodec(tg), want, name);
});
