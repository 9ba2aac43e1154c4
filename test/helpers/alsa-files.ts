// Real ALSA output without sound hardware: the `file` PCM plugin writes every
// sample that reaches it to a file and passes it on to its slave. The slave
// must consume in real time: with the `null` PCM (which takes any amount at
// once) alsasink's ring buffer spins, writes ~100 MB/s of silence and its
// clock runs away, so no real sample is ever written. Here the slave is a
// PulseAudio null sink (ALSA's `pulse` plugin, libasound2-plugins), which a
// private pulseaudio paces by its own timer. Two such devices stand in for
// the board's HDMI and jack outputs; the daemon reaches them through
// ALSA_CONFIG_PATH, set only in its environment.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from './time';

export type Output = 'speaker' | 'ear';

export interface Window {
  bytes: number;
  /** Bytes that are not zero: silence (volume mute) writes only zeros. */
  nonZero: number;
  /** Root mean square of the samples read as 32-bit float (F32LE: what alsasink negotiates over this PCM), 0.0-1.0. */
  rms: number;
}

export interface AlsaFiles {
  /** For the daemon's environment: the system configuration plus ours. */
  env: Record<string, string>;
  /** ALSA device names for --audio-device-speaker / --audio-device-ear. */
  device(o: Output): string;
  size(o: Output): number;
  /** What reached each output during the next `ms`. */
  watch(ms: number): Promise<Record<Output, Window>>;
  /** Stops the private pulseaudio and removes the files. */
  remove(): Promise<void>;
}

/** Starts a private pulseaudio (unix socket in a temp dir, one null sink) and the two ALSA devices over it. */
export async function makeAlsaFiles(): Promise<AlsaFiles> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-alsa-'));
  const socket = path.join(dir, 'pulse.sock');
  const pulse = spawn(
    'pulseaudio',
    ['-n', '--daemonize=no', '--exit-idle-time=-1', '--use-pid-file=no', '--disable-shm=yes', '-L', 'module-null-sink sink_name=lp_null', '-L', `module-native-protocol-unix auth-anonymous=1 socket=${socket}`],
    { env: { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const reap = () => pulse.kill('SIGKILL');
  process.once('exit', reap);
  let err = '';
  pulse.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const gone = new Promise<void>((resolve) => pulse.once('exit', () => resolve()));
  for (let i = 0; i < 100 && !existsSync(socket) && pulse.exitCode === null; i++) await sleep(50);
  if (!existsSync(socket)) {
    pulse.kill('SIGKILL');
    throw new Error(`pulseaudio did not start\n${err}`);
  }
  const file = (o: Output) => path.join(dir, `${o}.raw`);
  const pcm = (o: Output) => `pcm.lp_${o} { type file; slave.pcm "lp_pulse"; file "${file(o)}"; format "raw" }`;
  const conf = path.join(dir, 'asound.conf');
  writeFileSync(conf, `pcm.lp_pulse { type pulse; server "unix:${socket}"; device "lp_null" }\n${pcm('speaker')}\n${pcm('ear')}\n`);
  const size = (o: Output): number => {
    try {
      return statSync(file(o)).size;
    } catch {
      return 0;
    }
  };
  const read = (o: Output, from: number, to: number): Window => {
    if (to <= from) return { bytes: 0, nonZero: 0, rms: 0 };
    const buf = Buffer.alloc(to - from);
    const fd = openSync(file(o), 'r');
    try {
      readSync(fd, buf, 0, buf.length, from);
    } finally {
      closeSync(fd);
    }
    let nonZero = 0;
    for (const b of buf) if (b !== 0) nonZero++;
    let sum = 0;
    const n = Math.floor(buf.length / 4);
    for (let i = 0; i < n; i++) sum += buf.readFloatLE(i * 4) ** 2;
    return { bytes: buf.length, nonZero, rms: n > 0 ? Math.sqrt(sum / n) : 0 };
  };
  return {
    // ALSA_CONFIG_PATH replaces the system file, which defines the `file` and `null` types: keep it first.
    env: { ALSA_CONFIG_PATH: `/usr/share/alsa/alsa.conf:${conf}` },
    device: (o) => `lp_${o}`,
    size,
    async watch(ms) {
      const start = { speaker: size('speaker'), ear: size('ear') };
      await sleep(ms);
      return { speaker: read('speaker', start.speaker, size('speaker')), ear: read('ear', start.ear, size('ear')) };
    },
    async remove() {
      pulse.kill('SIGTERM');
      const timer = setTimeout(() => pulse.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
      process.removeListener('exit', reap);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
