// Turns the samples into the markdown table (printed and written to
// bench/results/latest.md) and keeps the raw samples for the JSON beside it.
import type { ControlSample } from './daemon-only';
import type { PublisherLossResult, ReconnectSample } from './reconnect';
import type { PlayerKind } from './players';
import type { ResourceSample } from './resources';
import { fmt, pairRatios, summarize } from './stats';
import type { TtffSample } from './ttff';

export interface BenchResults {
  startedAt: string;
  runs: number;
  quick: boolean;
  machine: Record<string, string>;
  load: { phase: string; loadavg: number[] }[];
  ttff: TtffSample[];
  resources: ResourceSample[];
  control: ControlSample[];
  reconnect: ReconnectSample[];
  publisherLoss: PublisherLossResult[];
  healthz: number[];
}

const PLAYERS: PlayerKind[] = ['liveplayerd', 'gst-launch', 'ffmpeg', 'mpv'];
const HEAD = '| measurement | liveplayerd | gst-launch-1.0 | ffmpeg | mpv | liveplayerd / gst-launch (pairwise) |';
const RULE = '|---|---:|---:|---:|---:|---:|';

/** Values per run (NaN where a run failed), so ratios can pair runs. */
function byRun<T extends { run: number }>(xs: T[], runs: number, pick: (x: T) => number | undefined): number[] {
  return Array.from({ length: runs }, (_, r) => {
    const v = xs.find((x) => x.run === r);
    const n = v ? pick(v) : undefined;
    return n === undefined ? NaN : n;
  });
}

function row(label: string, cols: Partial<Record<PlayerKind, number[]>>, digits: number, ratioDigits = 2): string {
  const cell = (p: PlayerKind) => (cols[p] ? fmt(summarize(cols[p]!), digits) : '—');
  const lp = cols.liveplayerd;
  const gst = cols['gst-launch'];
  const ratio = lp && gst ? fmt(summarize(pairRatios(lp, gst)), ratioDigits, 'x') : '—';
  return `| ${label} | ${PLAYERS.map(cell).join(' | ')} | ${ratio} |`;
}

function ttffRows(r: BenchResults): string[] {
  const out: string[] = [];
  const sel = (p: PlayerKind, mode: 'warm' | 'cold', src: string) => r.ttff.filter((s) => s.player === p && s.mode === mode && s.source === src);
  for (const src of ['nms-rtmp', 'nms-flv', 'nginx-rtmp']) {
    const cold = Object.fromEntries(PLAYERS.map((p) => [p, byRun(sel(p, 'cold', src), r.runs, (s) => s.ttff)]));
    const warm = byRun(sel('liveplayerd', 'warm', src), r.runs, (s) => s.ttff);
    out.push(row(`TTFF warm (play → 2004), ${src}; ratio to gst-launch cold`, { liveplayerd: warm, 'gst-launch': cold['gst-launch'] }, 0));
    out.push(row(`TTFF cold (spawn → first frame), ${src}`, cold, 0));
  }
  // nginx-rtmp has no GOP cache: split at the key frame the player started from.
  const ng = (p: PlayerKind, mode: 'warm' | 'cold', k: 'keyWait' | 'own' | 'own2003') => byRun(sel(p, mode, 'nginx-rtmp'), r.runs, (s) => s[k]);
  out.push(row('nginx-rtmp warm: wait for key frame (probe)', { liveplayerd: ng('liveplayerd', 'warm', 'keyWait') }, 0));
  out.push(row('nginx-rtmp warm: own cost after key frame (probe); ratio to gst-launch cold', { liveplayerd: ng('liveplayerd', 'warm', 'own'), 'gst-launch': ng('gst-launch', 'cold', 'own') }, 0));
  out.push(row('nginx-rtmp warm: own cost, 2004 − 2003', { liveplayerd: ng('liveplayerd', 'warm', 'own2003') }, 0));
  out.push(row('nginx-rtmp cold: wait for key frame (probe)', Object.fromEntries(PLAYERS.map((p) => [p, ng(p, 'cold', 'keyWait')])), 0));
  out.push(row('nginx-rtmp cold: own cost after key frame (probe)', Object.fromEntries(PLAYERS.map((p) => [p, ng(p, 'cold', 'own')])), 0));
  out.push(row('nginx-rtmp cold: own cost, 2004 − 2003', { liveplayerd: ng('liveplayerd', 'cold', 'own2003') }, 0));
  return out;
}

function resourceRows(r: BenchResults): string[] {
  const col = (k: 'cpu10s' | 'peakRssMiB' | 'pssMiB') => Object.fromEntries(PLAYERS.map((p) => [p, byRun(r.resources.filter((s) => s.player === p), r.runs, (s) => s[k])]));
  const dw = byRun(r.resources.filter((s) => s.player === 'liveplayerd'), r.runs, (s) => s.daemonWorkerMiB);
  return [
    row('CPU seconds per 10 s of playback (nms-rtmp; liveplayerd: daemon + workers)', col('cpu10s'), 2),
    row('peak RSS, MiB (sum of VmHWM over the process tree; liveplayerd incl. idle spare worker)', col('peakRssMiB'), 0),
    row('peak RSS, MiB, liveplayerd daemon + playing worker only', { liveplayerd: dw, 'gst-launch': col('peakRssMiB')['gst-launch'] }, 0),
    row('PSS at the end of the window, MiB (shared pages split between processes; liveplayerd incl. spare)', col('pssMiB'), 0),
    row('CPU seconds per 10 s, liveplayerd daemon process alone', { liveplayerd: byRun(r.resources.filter((s) => s.player === 'liveplayerd'), r.runs, (s) => s.daemonCpu10s) }, 2),
  ];
}

function daemonRows(r: BenchResults): string[] {
  const c = (k: keyof Omit<ControlSample, 'run'>) => ({ liveplayerd: r.control.map((s) => s[k]) });
  const rc = (src: string, k: 'fromBack' | 'keyWait') => ({ liveplayerd: r.reconnect.filter((s) => s.source === src).map((s) => s[k] ?? NaN) });
  return [
    row('control POST /player/mute p50, ms (50 SSE subscribers, playing)', c('muteP50'), 1),
    row('control POST /player/mute p99, ms', c('muteP99'), 1),
    row('control GET /player p50, ms', c('getP50'), 1),
    row('control GET /player p99, ms', c('getP99'), 1),
    row('reconnect nms-rtmp: network back → 2004, ms (retry every 0.5 s)', rc('nms-rtmp', 'fromBack'), 0),
    row('reconnect nginx-rtmp: network back → 2004, ms (retry every 0.5 s)', rc('nginx-rtmp', 'fromBack'), 0),
    row('reconnect nginx-rtmp: of which waiting for the key frame, ms', rc('nginx-rtmp', 'keyWait'), 0),
    row('start-up: spawn → /healthz 200, ms', { liveplayerd: r.healthz }, 0),
  ];
}

/** The markdown document: what ran, the table, failures if any. */
export function renderMarkdown(r: BenchResults): string {
  const failures = [...r.ttff, ...r.resources, ...r.reconnect].filter((s) => s.error);
  const loads = r.load.map((l) => `${l.phase} ${l.loadavg.map((v) => v.toFixed(2)).join(' ')}`).join('; ');
  return [
    `# liveplayerd benchmark — ${r.startedAt}`,
    '',
    `${r.runs} runs${r.quick ? ' (quick)' : ''}, players interleaved within each run; cells are median (min–max) over runs; ratios are taken run by run, then summarised.`,
    `Machine: ${Object.entries(r.machine).map(([k, v]) => `${k} ${v}`).join('; ')}.`,
    `Load average (1/5/15 min) at each phase: ${loads}.`,
    '',
    HEAD,
    RULE,
    ...ttffRows(r),
    ...resourceRows(r),
    ...daemonRows(r),
    '',
    ...r.publisherLoss.map((p) => `Publisher killed and restarted (${p.source}): codes ${p.codes.join(', ')}; ${p.returned ? 'returned to 2004 by itself' : `did not return by itself (state ${p.state}): the server's unpublish is reported as 2006 and playback ends`}.`),
    '',
    failures.length ? `Failed measurements (${failures.length}, left out of the medians):\n${failures.map((f) => `- ${JSON.stringify(f).slice(0, 300)}`).join('\n')}` : 'No failed measurements.',
    '',
  ].join('\n');
}
