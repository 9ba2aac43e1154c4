// Where the milliseconds of a warm start go: N warm plays on node-media-server
// (GOP cache, so no key-frame wait), each printed with the daemon's own log
// timestamps per status code. A profiling aid next to `npm run bench`.
//   node dist/bench/warm-profile.js [--runs 10] [--src nms-rtmp|nms-flv]
import { runScript, withBenchRig } from './rig';
import { warmOnce } from './ttff';
import { summarize } from './stats';
import { sleep } from './time';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

async function main(): Promise<void> {
  const runs = Number(arg('--runs', '10'));
  const key = arg('--src', 'nms-rtmp');
  await withBenchRig({}, async (media, d) => {
    const src = media.sources.find((s) => s.key === key)!;
    const sub = await d.subscribe();
    const all: number[] = [];
    for (let run = 0; run < runs; run++) {
      const s = await warmOnce(d, sub, src, run);
      all.push(s.ttff);
      const phases = Object.entries(s.phases ?? {}).map(([c, ms]) => `${c}@${ms}`).join(' ');
      process.stdout.write(`run ${run}: ${s.ttff.toFixed(0)} ms  ${phases}${s.error ? ` ERROR ${s.error}` : ''}\n`);
      if (process.argv.includes('--verbose')) for (const l of s.logLines ?? []) process.stdout.write(`    ${l.slice(0, 300)}\n`);
      await d.api('POST', '/api/v1/player/stop');
      await sleep(2000);
    }
    const m = summarize(all);
    process.stdout.write(`warm TTFF ${key}: median ${m.median.toFixed(0)} ms (min ${m.min.toFixed(0)}, max ${m.max.toFixed(0)}) over ${runs}\n`);
  });
}

runScript(main);
