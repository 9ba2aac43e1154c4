// The start-up probe of element factories against a real gst-inspect-1.0:
// on a cold registry (built by the probe itself), and when the first listing
// is slower than its deadline (a wrapper that sleeps before running the real
// gst-inspect-1.0 the first time only).
import t from 'tap';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseListing, probeFactories } from '../../../src/gst/control/probe';

const realInspect = execFileSync('sh', ['-c', 'command -v gst-inspect-1.0'], { encoding: 'utf8' }).trim();

t.test('the listing is parsed into factory names', async (tt) => {
  const names = parseListing('coreelements:  fakesink: Fake Sink\nlibav:  avdec_h264: libav H.264 / AVC / MPEG-4 AVC decoder\n\nTotal count: 2 plugins\n');
  tt.same([...names].sort(), ['avdec_h264', 'fakesink']);
});

t.test('a cold registry: one listing builds it and the software decoder is found', async (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'lp-probe-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const registry = join(dir, 'registry.bin');
  const started = Date.now();
  const found = await probeFactories(['v4l2h264dec', 'avdec_h264', 'fakesink'], { env: { ...process.env, GST_REGISTRY: registry, GST_REGISTRY_1_0: registry } });
  tt.same([...found].sort(), ['avdec_h264', 'fakesink']);
  tt.ok(existsSync(registry), `the registry was built (${Date.now() - started} ms)`);
});

t.test('a first listing slower than its deadline is retried with the next one', async (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'lp-probe-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const wrapper = join(dir, 'gst-inspect-1.0');
  const calls = join(dir, 'calls');
  writeFileSync(wrapper, `#!/bin/sh\necho "run $*" >> ${calls}\n[ -e ${dir}/warm ] || { touch ${dir}/warm; sleep 3; }\nexec ${realInspect} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const found = await probeFactories(['avdec_h264', 'v4l2h264dec'], { command: wrapper, deadlinesMs: [500, 60_000] });
  tt.same([...found], ['avdec_h264'], 'the decoder is found although the first run timed out');
  tt.equal(readFileSync(calls, 'utf8').split('\n').filter(Boolean).length, 2, 'two listings, no per-factory runs');
});

t.test('when every listing fails, the factories are asked one by one', async (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'lp-probe-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const wrapper = join(dir, 'gst-inspect-1.0');
  // Listing (no arguments) always fails; --exists goes to the real tool.
  writeFileSync(wrapper, `#!/bin/sh\n[ $# -eq 0 ] && exit 1\nexec ${realInspect} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const found = await probeFactories(['avdec_h264', 'v4l2h264dec'], { command: wrapper, deadlinesMs: [5_000] });
  tt.same([...found], ['avdec_h264']);
});
