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
  /** When the resources window began, ms after the first picture (absent in older results: 15 s). */
  settleMs?: number;
}

const PLAYERS: PlayerKind[] = ['liveplayerd', 'gst-bare', 'gst-launch', 'ffmpeg', 'mpv'];
const HEAD = '| measurement | liveplayerd | bare gst-launch-1.0 | gst-launch-1.0, liveplayerd\'s pipeline | ffmpeg | mpv | liveplayerd / bare (pairwise) |';
const RULE = '|---|---:|---:|---:|---:|---:|---:|';
/** The variant measured beside the shipped daemon: no spare worker while a session plays. */
export const LEAN = '--spare-worker idle';

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
  const bare = cols['gst-bare'];
  const ratio = lp && bare ? fmt(summarize(pairRatios(lp, bare)), ratioDigits, 'x') : '—';
  return `| ${label} | ${PLAYERS.map(cell).join(' | ')} | ${ratio} |`;
}

const sel = (r: BenchResults, p: PlayerKind, mode: TtffSample['mode'], src: string, variant?: string) => r.ttff.filter((s) => s.player === p && s.mode === mode && s.source === src && s.variant === variant);
const res = (r: BenchResults, p: PlayerKind, variant?: string) => r.resources.filter((s) => s.player === p && s.variant === variant);

function ttffRows(r: BenchResults): string[] {
  const out: string[] = [];
  for (const src of ['nms-rtmp', 'nms-flv', 'nginx-rtmp']) {
    const cold = Object.fromEntries(PLAYERS.map((p) => [p, byRun(sel(r, p, 'cold', src), r.runs, (s) => s.ttff)]));
    const warm = byRun(sel(r, 'liveplayerd', 'warm', src), r.runs, (s) => s.ttff);
    const warmLean = byRun(sel(r, 'liveplayerd', 'warm', src, LEAN), r.runs, (s) => s.ttff);
    out.push(row(`TTFF warm (play → 2004), ${src}; ratio to bare cold`, { liveplayerd: warm, 'gst-bare': cold['gst-bare'] }, 0));
    out.push(row(`TTFF warm, ${src}, with ${LEAN}`, { liveplayerd: warmLean, 'gst-bare': cold['gst-bare'] }, 0));
    out.push(row(`TTFF cold (spawn → first frame), ${src}`, cold, 0));
  }
  out.push(row('src switch while playing (PATCH src nms-rtmp → nms-flv → 2004)', { liveplayerd: byRun(sel(r, 'liveplayerd', 'switch', 'nms-flv'), r.runs, (s) => s.ttff) }, 0));
  out.push(row(`src switch while playing, with ${LEAN}`, { liveplayerd: byRun(sel(r, 'liveplayerd', 'switch', 'nms-flv', LEAN), r.runs, (s) => s.ttff) }, 0));
  // nginx-rtmp has no GOP cache: split at the key frame the player started from.
  const ng = (p: PlayerKind, mode: 'warm' | 'cold', k: 'keyWait' | 'own' | 'own2003') => byRun(sel(r, p, mode, 'nginx-rtmp'), r.runs, (s) => s[k]);
  out.push(row('nginx-rtmp warm: wait for key frame (probe)', { liveplayerd: ng('liveplayerd', 'warm', 'keyWait') }, 0));
  out.push(row('nginx-rtmp warm: own cost after key frame (probe); ratio to bare cold', { liveplayerd: ng('liveplayerd', 'warm', 'own'), 'gst-bare': ng('gst-bare', 'cold', 'own') }, 0));
  out.push(row('nginx-rtmp warm: own cost, 2004 − 2003', { liveplayerd: ng('liveplayerd', 'warm', 'own2003') }, 0));
  out.push(row('nginx-rtmp cold: wait for key frame (probe)', Object.fromEntries(PLAYERS.map((p) => [p, ng(p, 'cold', 'keyWait')])), 0));
  out.push(row('nginx-rtmp cold: own cost after key frame (probe)', Object.fromEntries(PLAYERS.map((p) => [p, ng(p, 'cold', 'own')])), 0));
  out.push(row('nginx-rtmp cold: own cost, 2004 − 2003', { liveplayerd: ng('liveplayerd', 'cold', 'own2003') }, 0));
  return out;
}

function resourceRows(r: BenchResults): string[] {
  const col = (k: 'cpu10s' | 'peakRssMiB' | 'pssMiB') => Object.fromEntries(PLAYERS.map((p) => [p, byRun(res(r, p), r.runs, (s) => s[k])]));
  const lean = (k: 'cpu10s' | 'peakRssMiB' | 'pssMiB') => ({ liveplayerd: byRun(res(r, 'liveplayerd', LEAN), r.runs, (s) => s[k]), 'gst-bare': col(k)['gst-bare'] });
  const dw = byRun(res(r, 'liveplayerd'), r.runs, (s) => s.daemonWorkerMiB);
  const bill = (variant: string | undefined, role: string, k: 'cpu10s' | 'pssMiB') => byRun(res(r, 'liveplayerd', variant), r.runs, (s) => s.bill?.filter((b) => b.role === role).reduce((a, b) => a + b[k], 0));
  const roles = [...new Set(r.resources.flatMap((s) => (s.player === 'liveplayerd' ? (s.bill ?? []).map((b) => b.role) : [])))];
  return [
    row(`CPU seconds per 10 s of playback, from ${((r.settleMs ?? 15_000) / 1000).toFixed(0)} s after the first picture (nginx-rtmp; liveplayerd: daemon + workers)`, col('cpu10s'), 2),
    row(`CPU seconds per 10 s, liveplayerd with ${LEAN}`, lean('cpu10s'), 2),
    row('PSS at the end of the window, MiB (whole tree; shared pages split between processes)', col('pssMiB'), 0),
    row(`PSS, MiB, liveplayerd with ${LEAN}`, lean('pssMiB'), 0),
    row('peak RSS, MiB (sum of VmHWM over the process tree)', col('peakRssMiB'), 0),
    row('peak RSS, MiB, liveplayerd daemon + playing worker only', { liveplayerd: dw, 'gst-bare': col('peakRssMiB')['gst-bare'] }, 0),
    row(`peak RSS, MiB, liveplayerd with ${LEAN}`, lean('peakRssMiB'), 0),
    ...roles.flatMap((role) => [row(`liveplayerd ${role}: CPU s per 10 s`, { liveplayerd: bill(undefined, role, 'cpu10s') }, 2), row(`liveplayerd ${role}: PSS, MiB`, { liveplayerd: bill(undefined, role, 'pssMiB') }, 1)]),
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

/** The growth run the targets read (bench/growth.ts writes it; an hour, so it is run apart). */
export interface GrowthSummary {
  startedAt: string;
  minutes: number;
  rows: { variant: string; role: string; pid: number; minutes: number; anonPerHour: number }[];
}

interface Target {
  what: string;
  figure: string;
  met: boolean | null;
}

function median(xs: number[]): number {
  return summarize(xs).median;
}

/** Every target of the budget with the figure of this run and met / missed. */
export function targets(r: BenchResults, growth: GrowthSummary | null): Target[] {
  const out: Target[] = [];
  const ratio = (a: number[], b: number[]) => median(pairRatios(a, b));
  const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a');
  const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'n/a');
  const judge = (v: number, limit: number) => (Number.isFinite(v) ? v <= limit : null);
  const bareRes = (k: 'cpu10s' | 'pssMiB') => byRun(res(r, 'gst-bare'), r.runs, (s) => s[k]);
  for (const [variant, label] of [[undefined, 'as shipped'], [LEAN, LEAN]] as const) {
    const lp = (k: 'cpu10s' | 'pssMiB') => byRun(res(r, 'liveplayerd', variant), r.runs, (s) => s[k]);
    const cpu = ratio(lp('cpu10s'), bareRes('cpu10s'));
    const from = `from ${((r.settleMs ?? 15_000) / 1000).toFixed(0)} s into play`;
    out.push({ what: `CPU while playing ≤ 1.2x bare (${label}, ${from})`, figure: `${x(cpu)} (${fmt(summarize(lp('cpu10s')), 2)} vs ${fmt(summarize(bareRes('cpu10s')), 2)} CPU-s per 10 s)`, met: judge(cpu, 1.2) });
    const pss = ratio(lp('pssMiB'), bareRes('pssMiB'));
    out.push({ what: `PSS of the tree while playing ≤ 1.5x bare (${label})`, figure: `${x(pss)} (${fmt(summarize(lp('pssMiB')), 0)} vs ${fmt(summarize(bareRes('pssMiB')), 0)} MiB)`, met: judge(pss, 1.5) });
  }
  if (growth) {
    // A process counts with at least 20 min of series (a worker replaced early, or started late, has less).
    const lp = growth.rows.filter((g) => g.variant === 'default' && g.minutes >= 20 && Number.isFinite(g.anonPerHour)).sort((a, b) => b.anonPerHour - a.anonPerHour);
    const top = lp[0];
    const bare = growth.rows.find((g) => g.variant === 'bare');
    out.push({
      what: 'RssAnon growth ≤ 1 MiB per hour in every process',
      figure: top
        ? `worst ${top.role} ${top.anonPerHour.toFixed(2)} MiB/h; ${lp.map((g) => `${g.role} (${g.pid}, ${g.minutes.toFixed(0)} min) ${g.anonPerHour.toFixed(2)}`).join(', ')}${bare ? `; bare pipeline ${bare.anonPerHour.toFixed(2)}` : ''} (run of ${growth.minutes} min from ${growth.startedAt.slice(0, 16)}; bench/results/growth-latest.md)`
        : 'n/a',
      met: top ? lp.every((g) => g.anonPerHour <= 1) : null,
    });
  } else out.push({ what: 'RssAnon growth ≤ 1 MiB per hour in every process', figure: 'not measured: run node dist/bench/growth.js (60 min)', met: null });
  const own = ratio(byRun(sel(r, 'liveplayerd', 'warm', 'nginx-rtmp'), r.runs, (s) => s.own), byRun(sel(r, 'gst-bare', 'cold', 'nginx-rtmp'), r.runs, (s) => s.own));
  out.push({ what: 'own time after the key frame ≤ 1.0x bare (nginx-rtmp, warm vs bare cold)', figure: x(own), met: judge(own, 1.0) });
  for (const src of ['nms-rtmp', 'nms-flv']) {
    const w = median(byRun(sel(r, 'liveplayerd', 'warm', src), r.runs, (s) => s.ttff));
    out.push({ what: `warm play → 2004 ≤ 60 ms (${src})`, figure: ms(w), met: judge(w, 60) });
  }
  const sw = median(byRun(sel(r, 'liveplayerd', 'switch', 'nms-flv'), r.runs, (s) => s.ttff));
  out.push({ what: 'src switch while playing → 2004 ≤ 100 ms (GOP cache)', figure: ms(sw), met: judge(sw, 100) });
  const swLean = median(byRun(sel(r, 'liveplayerd', 'switch', 'nms-flv', LEAN), r.runs, (s) => s.ttff));
  out.push({ what: `src switch while playing → 2004 ≤ 100 ms (${LEAN})`, figure: ms(swLean), met: judge(swLean, 100) });
  for (const src of ['nms-flv', 'nms-rtmp', 'nginx-rtmp']) {
    const c = ratio(byRun(sel(r, 'liveplayerd', 'cold', src), r.runs, (s) => s.ttff), byRun(sel(r, 'gst-bare', 'cold', src), r.runs, (s) => s.ttff));
    out.push({ what: `cold spawn → 2004 ≤ 1.5x bare (${src})`, figure: x(c), met: judge(c, 1.5) });
  }
  return out;
}

function targetLines(r: BenchResults, growth: GrowthSummary | null): string[] {
  return [
    '| target | figure (median; ratios pair runs) | verdict |',
    '|---|---|---|',
    ...targets(r, growth).map((t) => `| ${t.what} | ${t.figure} | ${t.met === null ? 'not measured' : t.met ? '**met**' : '**missed**'} |`),
  ];
}

/** The markdown document: what ran, the table, failures if any. */
export function renderMarkdown(r: BenchResults, growth: GrowthSummary | null = null): string {
  const failures = [...r.ttff, ...r.resources, ...r.reconnect].filter((s) => s.error);
  const loads = r.load.map((l) => `${l.phase} ${l.loadavg.map((v) => v.toFixed(2)).join(' ')}`).join('; ');
  return [
    `# liveplayerd benchmark — ${r.startedAt}`,
    '',
    `${r.runs} runs${r.quick ? ' (quick)' : ''}, players interleaved within each run; cells are median (min–max) over runs; ratios are taken run by run, then summarised.`,
    `Machine: ${Object.entries(r.machine).map(([k, v]) => `${k} ${v}`).join('; ')}.`,
    `Load average (1/5/15 min) at each phase: ${loads}.`,
    '',
    '## Targets',
    '',
    ...targetLines(r, growth),
    '',
    '## All figures',
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
