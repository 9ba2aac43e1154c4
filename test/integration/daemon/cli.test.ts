// The command line as a person meets it, run as a real process: --help groups
// every option with its meaning, allowed values, default and environment
// name; --version; --src; bad values refused in words with exit 2; --demo
// prints a pairing address, the token file and a curl line that works as
// printed; no stack trace for expected conditions (no system bus, no display);
// log lines as JSON when stdout is a pipe, readable with --log-format pretty.
import t from 'tap';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OPTION_SPECS } from '../../../src/config/schema';
import { CLI, startDaemon } from '../../helpers/daemon';
import { sleep } from '../../helpers/time';

const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 30000 });

t.test('--help: every option, grouped, with meaning, allowed values, default and environment name', async (t) => {
  const r = cli(['--help']);
  t.equal(r.status, 0);
  for (const g of ['Playback:', 'Control:', 'Output:', 'Storage and security:', 'Logs:']) t.match(r.stdout, new RegExp(`^${g}$`, 'm'), g);
  for (const s of OPTION_SPECS) {
    const i = r.stdout.indexOf(`  ${s.flag}`);
    t.ok(i >= 0, `${s.flag} is listed`);
    t.match(r.stdout.slice(i, i + 400), new RegExp(`default: .*env: ${s.env}`), `${s.flag}: default and ${s.env}`);
  }
  t.match(r.stdout, /--http HOST:PORT\|off\s+HTTP API, phone page and \/metrics/);
  t.match(r.stdout, /--video-sink auto\|kms\|gl\|x\|wayland\|fake/);
  t.match(r.stdout, /--src URL\s+stream to play/);
  t.notMatch(r.stdout, /Other:/, 'no option left without a group');
});

t.test('--version names liveplayerd, Node.js and GStreamer', async (t) => {
  const r = cli(['--version']);
  t.equal(r.status, 0);
  t.match(r.stdout, /^liveplayerd \d+\.\d+\.\d+\nNode\.js \d+\.\d+\.\d+, GStreamer \d+\.\d+\.\d+\n$/);
});

t.test('bad values: exit 2, one line, in words naming the option, what it expects and what it got', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--http', '8080'], /^liveplayerd: --http expects HOST:PORT or off, got "8080"$/],
    [['--reconnect-attempts', 'many'], /^liveplayerd: --reconnect-attempts expects a number, got "many"$/],
    [['--dbus', 'both'], /^liveplayerd: --dbus must be one of system, session, off, got "both"$/],
    [['--log-format', 'xml'], /^liveplayerd: --log-format must be one of auto, json, pretty, got "xml"$/],
    [['--src', 'rtsp://cam/1'], /^liveplayerd: initial attributes: src scheme "rtsp" is not one of rtmp, rtmps, http, https$/],
    [['--src'], /^liveplayerd: --src needs a value$/],
  ];
  for (const [args, want] of cases) {
    const r = cli(args);
    t.equal(r.status, 2, `${args.join(' ')}: exit 2`);
    t.match(r.stderr.trim(), want, args.join(' '));
    t.notMatch(r.stderr, /\^\(|\\\[|\[0-9\]/, 'no regular expression shown');
  }
});

t.test('--src sets the stream over LIVEPLAYER_SRC; no stack trace without a system bus or a display', { timeout: 90000 }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const d = await startDaemon({
    args: ['--dbus', 'system', '--video-sink', 'x', '--src', 'rtmp://127.0.0.1:9/live/flag', '--reconnect-attempts', '0'],
    env: { LIVEPLAYER_SRC: 'rtmp://127.0.0.1:9/live/env', DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${dir}/no-bus`, DISPLAY: '', WAYLAND_DISPLAY: '' },
  });
  t.teardown(() => d.stop());
  t.equal((await d.api('GET', '/api/v1/player')).body.attributes.src, 'rtmp://127.0.0.1:9/live/flag', 'the flag wins over LIVEPLAYER_SRC');
  const sub = await d.subscribe();
  await d.api('POST', '/api/v1/player/play');
  await sub.waitFor((e) => e.event === 'statechange' && e.data.code === -2301, 30000, 'the refused address gives up');
  for (let i = 0; i < 50 && !d.logs().some((l) => l.includes('D-Bus unavailable')); i++) await sleep(100);
  const warn = d.logs().map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'D-Bus unavailable; running without it');
  t.match(warn, { level: 40, bus: 'system', reason: /no-bus|ENOENT/ }, 'one warning with the reason');
  const stacks = d.logs().filter((l) => l.includes('"stack"') || l.includes('\\n    at '));
  t.same(stacks, [], 'no stack trace in any log line');
});

t.test('--demo prints the pairing address, the token file and a curl line that works as printed', { timeout: 90000 }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-cli-demo-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const p = spawn(process.execPath, [CLI, '--demo', '--http', '0.0.0.0:0', '--dbus', 'off', '--video-sink', 'fake', '--audio-sink', 'fake', '--state-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const gone = new Promise((r) => p.once('exit', r));
  t.teardown(async () => {
    p.kill('SIGTERM');
    await gone;
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; i < 300 && !err.includes('Stop with Ctrl-C'); i++) await sleep(100);
  t.match(err, /^liveplayerd demo: playing a built-in test stream \(rtmp:\/\/127\.0\.0\.1:\d+\/live\/demo\)$/m);
  t.match(err, /Pair a phone: +open http:\/\/[^\s]+\/pair\?code=[A-Za-z0-9_-]{22}$/m);
  t.match(err, new RegExp(`API token: +${dir.replace(/[/.]/g, '\\$&')}/token$`, 'm'));
  const curl = /Try: +(curl .*)$/m.exec(err)?.[1];
  t.ok(curl, `a curl line: ${curl}`);
  const r = await new Promise<{ code: number; stdout: string }>((resolve) => execFile('sh', ['-c', `${curl} -s -w '\\n%{http_code}'`], (e, stdout) => resolve({ code: e ? 1 : 0, stdout })));
  const [body, status] = [r.stdout.slice(0, r.stdout.lastIndexOf('\n')), r.stdout.slice(r.stdout.lastIndexOf('\n') + 1)];
  t.equal(status, '200', 'the curl line as printed is answered 200');
  t.match(JSON.parse(body), { attributes: { src: /\/live\/demo$/ } });
  t.ok(out.split('\n').filter(Boolean).every((l) => l.startsWith('{')), 'stdout stays JSON log lines (a pipe is not a terminal)');
});

t.test('--log-format pretty writes readable lines', { timeout: 60000 }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-cli-pretty-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const p = spawn(process.execPath, [CLI, '--log-format', 'pretty', '--http', '127.0.0.1:0', '--dbus', 'off', '--video-sink', 'fake', '--audio-sink', 'fake', '--state-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const gone = new Promise((r) => p.once('exit', r));
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 300 && !out.includes('http listening'); i++) await sleep(100);
  p.kill('SIGTERM');
  await gone;
  t.match(out, /^\d\d:\d\d:\d\d\.\d{3} INFO  http: http listening address=127\.0\.0\.1:\d+$/m);
  t.notOk(out.split('\n').some((l) => l.startsWith('{')), 'no JSON line');
});
