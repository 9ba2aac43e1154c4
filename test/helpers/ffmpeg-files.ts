// Real FLV files made by ffmpeg at test time, so the parsers and the meter
// are checked against what an encoder actually emits, not hand-built bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a test publisher was told to send: the truth the meter is checked against. */
export interface Publisher {
  name: string;
  width: number;
  height: number;
  fps: number;
  videoKbps: number;
  gopFrames: number;
  audioKbps: number;
  seconds: number;
  /** Extra ffmpeg output options (profile, pixel format, x264 params). */
  extra?: string[];
}

export const HD: Publisher = { name: 'hd', width: 1280, height: 720, fps: 30, videoKbps: 2000, gopFrames: 60, audioKbps: 96, seconds: 8 };
export const SD: Publisher = { name: 'sd', width: 640, height: 360, fps: 25, videoKbps: 800, gopFrames: 25, audioKbps: 96, seconds: 8 };

/** A temp dir removed when the test ends. */
export function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'liveplayerd-flv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Encodes testsrc2 + a sine (AAC) as the publisher describes, into dir/<name>.flv; returns the path. */
export function makeFlv(dir: string, p: Publisher): string {
  const out = join(dir, `${p.name}.flv`);
  const kbps = `${p.videoKbps}k`;
  const args = [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${p.width}x${p.height}:rate=${p.fps}`,
    '-f', 'lavfi', '-i', 'sine',
    '-t', String(p.seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', kbps, '-maxrate', kbps, '-bufsize', kbps,
    '-g', String(p.gopFrames), '-keyint_min', String(p.gopFrames), '-sc_threshold', '0',
    ...(p.extra ?? []),
    '-c:a', 'aac', '-b:a', `${p.audioKbps}k`,
    '-f', 'flv', out,
  ];
  execFileSync('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** ffprobe's view of the first video stream: the independent truth for the SPS parser. */
export function probeVideo(file: string): { width: number; height: number; profile: string; level: number } {
  const json = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,profile,level', '-of', 'json', file]);
  const s = JSON.parse(json.toString()).streams[0];
  return { width: s.width, height: s.height, profile: s.profile, level: s.level };
}

export function readBytes(file: string): Buffer {
  return readFileSync(file);
}
