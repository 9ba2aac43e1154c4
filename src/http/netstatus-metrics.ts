// The netstatus figures as Prometheus wants them: one gauge per quantity,
// in base units (bits, seconds, pixels), its unit in its name. The
// contract's netstatus keys stay as the player sends them (kbps, ms); only
// here are they scaled. liveplayer_netstatus{key} stays beside these for the
// scripts that already scrape it.
import { Gauge, type Registry } from 'prom-client';

interface NetGauge {
  key: string;
  name: string;
  help: string;
  /** Multiplies the netstatus figure into the base unit. */
  scale: number;
}

export const NETSTATUS_GAUGES: readonly NetGauge[] = [
  { key: 'videoBitrate', name: 'liveplayer_video_bitrate_bits_per_second', help: 'Video payload bit rate of the stream being played', scale: 1000 },
  { key: 'audioBitrate', name: 'liveplayer_audio_bitrate_bits_per_second', help: 'Audio payload bit rate of the stream being played', scale: 1000 },
  { key: 'netSpeed', name: 'liveplayer_receive_bits_per_second', help: 'Bits received on the stream connection per second, everything included', scale: 1000 },
  { key: 'videoFPS', name: 'liveplayer_video_frames_per_second', help: 'Video frames arriving per second', scale: 1 },
  { key: 'renderFPS', name: 'liveplayer_render_frames_per_second', help: 'Video frames shown per second', scale: 1 },
  { key: 'videoGOP', name: 'liveplayer_video_gop_seconds', help: 'Time between the last two key frames', scale: 1 },
  { key: 'netJitter', name: 'liveplayer_network_jitter_seconds', help: 'Interarrival jitter of video frames (RFC 3550)', scale: 0.001 },
  { key: 'videoWidth', name: 'liveplayer_video_width_pixels', help: 'Width of the stream picture', scale: 1 },
  { key: 'videoHeight', name: 'liveplayer_video_height_pixels', help: 'Height of the stream picture', scale: 1 },
  { key: 'videoCache', name: 'liveplayer_video_cache_seconds', help: 'Video received but not yet played', scale: 0.001 },
  { key: 'audioCache', name: 'liveplayer_audio_cache_seconds', help: 'Audio received but not yet played', scale: 0.001 },
  { key: 'liveDelay', name: 'liveplayer_live_delay_seconds', help: 'How far the picture shown is behind the newest frame received', scale: 0.001 },
];

/** Registers the gauges; the returned function sets them from a netstatus. A key it lacks reads 0 (an unlabelled gauge always has a sample). */
export function netstatusGauges(registry: Registry): (info: Record<string, number>) => void {
  const gauges = NETSTATUS_GAUGES.map((g) => ({ ...g, gauge: new Gauge({ name: g.name, help: g.help, registers: [registry] }) }));
  return (info) => {
    for (const g of gauges) {
      const v = info[g.key];
      if (typeof v === 'number' && Number.isFinite(v)) g.gauge.set(v * g.scale);
      else g.gauge.reset();
    }
  };
}
