// Configuration: every flag with its environment variable and the JSON file,
// precedence flag > environment > file > default, every problem reported at
// once naming the option, and the CLI's exit code 2 with one line.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load';
import { OPTION_SPECS } from '../../../src/config/schema';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-config-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (content: unknown) => {
  const f = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
};
const problems = (argv: string[], env: Record<string, string> = {}) => {
  try {
    loadConfig(argv, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

t.test('defaults as the contract lists them', async (tt) => {
  const { config } = loadConfig([], {});
  tt.match(config, { http: '0.0.0.0:8080', dbus: 'system', videoSink: 'auto', audioSink: 'auto', decoder: 'auto', reconnectAttempts: 3, reconnectInterval: 3, stallTimeout: 5, updateLock: 'off', demo: false });
  tt.equal(config.name, os.hostname());
  tt.equal(config.stateDir, process.getuid!() === 0 ? '/var/lib/liveplayerd' : path.join(os.homedir(), '.local/state/liveplayerd'));
  tt.equal(loadConfig([], { BALENA: '1' }).config.updateLock, 'on', 'update lock on under balena');
  tt.ok(Object.isFrozen(config), 'frozen after validation');
});

t.test('each flag and its environment variable set the same option', async (tt) => {
  const values: Record<string, [string, unknown]> = {
    http: ['127.0.0.1:9', '127.0.0.1:9'], dbus: ['session', 'session'], videoSink: ['kms', 'kms'], audioSink: ['alsa', 'alsa'],
    decoder: ['software', 'software'], stateDir: ['/tmp/x', '/tmp/x'], token: ['abcdefghijklmnopqrstuvwxyz012345', 'abcdefghijklmnopqrstuvwxyz012345'],
    name: ['tv-7', 'tv-7'], reconnectAttempts: ['5', 5], reconnectInterval: ['0.5', 0.5], stallTimeout: ['2', 2], updateLock: ['on', 'on'],
    demo: ['1', true], allowedHosts: ['a.example,b.example', ['a.example', 'b.example']], logLevel: ['debug', 'debug'], logFormat: ['pretty', 'pretty'],
    audioDeviceSpeaker: ['hw:0', 'hw:0'], audioDeviceEar: ['hw:1', 'hw:1'],
    windowPosition: ['0,0', '0,0'], pipPosition: ['1440,720', '1440,720'],
    startView: ['window', 'window'], language: ['en', 'en'], rejoin: ['off', 'off'],
    displaySize: ['1280x720', '1280x720'], spareWorker: ['idle', 'idle'],
    publicUrl: ['http://tv-3.school.lan:8080', 'http://tv-3.school.lan:8080'],
  };
  for (const spec of OPTION_SPECS) {
    // --ca-file names a file that must exist; test/integration/http/tls.test.ts has it.
    if (spec.key === 'config' || spec.key === 'caFile') continue;
    const [raw, want] = values[spec.key]!;
    const viaFlag = spec.kind === 'boolean' ? [spec.flag] : [spec.flag, raw];
    tt.same((loadConfig(viaFlag, {}).config as Record<string, unknown>)[spec.key], want, `${spec.flag}`);
    tt.same((loadConfig([], { [spec.env]: raw }).config as Record<string, unknown>)[spec.key], want, `${spec.env}`);
  }
});

t.test('--src sets the initial src over LIVEPLAYER_SRC and counts as given', async (tt) => {
  const { config } = loadConfig(['--src', 'rtmp://h/live/flag'], { LIVEPLAYER_SRC: 'rtmp://h/live/env' });
  tt.equal(config.attributes.src, 'rtmp://h/live/flag');
  tt.ok(config.attributesGiven.includes('src'));
  tt.equal(loadConfig(['--src=rtmp://h/live/eq'], {}).config.attributes.src, 'rtmp://h/live/eq', '--src=URL works too');
  tt.equal(loadConfig([], { LIVEPLAYER_VOLUME: '30' }).config.attributes.volume, 30, 'LIVEPLAYER_VOLUME');
  tt.match(problems([], { LIVEPLAYER_VOLUME: '130' }).join(), /volume must be <= 100/);
});

t.test('precedence: flag > environment > file > default', async (tt) => {
  const f = file({ name: 'from-file', reconnectAttempts: 7, decoder: 'omx', mode: 'RTC' });
  const { config } = loadConfig(['--config', f, '--name', 'from-flag'], { LIVEPLAYER_NAME: 'from-env', LIVEPLAYER_DECODER: 'v4l2' });
  tt.equal(config.name, 'from-flag');
  tt.equal(config.decoder, 'v4l2', 'env over file');
  tt.equal(config.reconnectAttempts, 7, 'file over default');
  tt.equal(config.attributes.mode, 'RTC', 'initial attributes from the file');
  const env = loadConfig(['--config', f], { LIVEPLAYER_MODE: 'live', LIVEPLAYER_SRC: 'rtmp://h/live/s', LIVEPLAYER_AUTOPLAY: 'true' }).config.attributes;
  tt.match(env, { mode: 'live', src: 'rtmp://h/live/s', autoplay: true }, 'attribute environment over the file');
});

t.test('every problem is reported at once, naming the option', async (tt) => {
  const p = problems(['--decoder', 'gpu', '--http', 'nope', '--reconnect-attempts', '-1', '--bogus'], { LIVEPLAYER_STALL_TIMEOUT: 'soon', LIVEPLAYER_SRC: 'file:///etc/passwd' });
  tt.equal(p.length, 6, p.join(' | '));
  tt.match(p.join('\n'), /--decoder must be one of auto, v4l2, omx, software/);
  tt.match(p.join('\n'), /--http/);
  tt.match(p.join('\n'), /--reconnect-attempts/);
  tt.match(p.join('\n'), /unknown option --bogus/);
  tt.match(p.join('\n'), /LIVEPLAYER_STALL_TIMEOUT expects a number, got/);
  tt.match(p.join('\n'), /src scheme "file"/);
});

t.test('bad config files', async (tt) => {
  tt.match(problems(['--config', file('{not json')]).join(), /not valid JSON/);
  tt.match(problems(['--config', file([1, 2])]).join(), /must hold a JSON object/);
  tt.match(problems(['--config', path.join(dir, 'missing.json')]).join(), /cannot read/);
  tt.match(problems(['--config', file({ videoSink: 'hdmi', colour: 'red' })]).join(), /unknown option "colour".*config file "videoSink" must be one of/s);
});

t.test('the CLI exits 2 with one line for bad input', async (tt) => {
  const cli = path.resolve(__dirname, '../../../src/cli.js');
  const r = spawnSync(process.execPath, [cli, '--decoder', 'gpu', '--video-sink', 'vga'], { encoding: 'utf8' });
  tt.equal(r.status, 2);
  tt.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  tt.match(r.stderr, /--decoder must be one of/);
  tt.match(r.stderr, /--video-sink must be one of/);
  tt.equal(spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' }).status, 0);
});

t.test('window and PiP positions: the default layout, the form, and the box stays on the screen', async (tt) => {
  const { config } = loadConfig([], {});
  tt.equal(config.windowPosition, '660,315', 'the 600x450 window centred on 1920x1080');
  tt.equal(config.pipPosition, '1392,672', 'the 480x360 PiP in the bottom-right corner, 48 px in');
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--window-position', '10x20'], {}, /^--window-position expects X,Y \(two whole numbers\), got "10x20"$/],
    [['--window-position', '-5,3'], {}, /^--window-position expects X,Y \(two whole numbers\), got "-5,3"$/],
    [['--window-position', '1321,0'], {}, /^--window-position 1321,0 puts the 600x450 picture outside the 1920x1080 screen \(x at most 1320, y at most 630\)$/],
    [[], { LIVEPLAYER_PIP_POSITION: '0,721' }, /^LIVEPLAYER_PIP_POSITION 0,721 puts the 480x360 picture outside/],
  ];
  for (const [argv, env, want] of cases) {
    const p = problems(argv, env);
    tt.equal(p.length, 1, `${argv.join(' ')}${JSON.stringify(env)}: one problem`);
    tt.match(p[0], want);
  }
  tt.same(problems(['--window-position', '1320,630', '--pip-position', '1440,720']), [], 'boxes touching the screen edge are fine');
});

t.test('the TV options: defaults, the language from the locale, and one-line refusals', async (tt) => {
  const d = loadConfig([], {}).config;
  tt.equal(d.startView, 'fullscreen', 'a TV fills its screen by default');
  tt.equal(d.rejoin, 'on', 'and keeps waiting for the lesson');
  tt.equal(d.spareWorker, 'auto', "whether a spare stands by while playing follows the board's memory unless asked");
  tt.equal(d.language, 'zh', 'Chinese when the locale says nothing');
  tt.equal(loadConfig([], { LANG: 'en_GB.UTF-8' }).config.language, 'en');
  tt.equal(loadConfig([], { LANG: 'zh_CN.UTF-8' }).config.language, 'zh');
  tt.equal(loadConfig([], { LANG: 'de_DE.UTF-8' }).config.language, 'zh', 'a language the TV does not speak: Chinese');
  tt.equal(loadConfig([], { LANG: 'zh_CN.UTF-8', LC_ALL: 'en_US.UTF-8' }).config.language, 'en', 'LC_ALL wins over LANG');
  tt.equal(loadConfig(['--language', 'en'], { LANG: 'zh_CN.UTF-8' }).config.language, 'en', 'the option wins over the locale');
  for (const [argv, env, msg] of [
    [['--start-view', 'big'], {}, '--start-view must be one of fullscreen, window, got "big"'],
    [[], { LIVEPLAYER_START_VIEW: 'pip' }, 'LIVEPLAYER_START_VIEW must be one of fullscreen, window, got "pip"'],
    [['--language', 'fr'], {}, '--language must be one of zh, en, got "fr"'],
    [['--rejoin', 'maybe'], {}, '--rejoin must be one of on, off, got "maybe"'],
    [[], { LIVEPLAYER_REJOIN: 'yes' }, 'LIVEPLAYER_REJOIN must be one of on, off, got "yes"'],
    [['--spare-worker', 'never'], {}, '--spare-worker must be one of auto, playing, idle, got "never"'],
  ] as [string[], Record<string, string>, string][]) {
    try {
      loadConfig(argv, env);
      tt.fail(`${msg}: accepted`);
    } catch (err) {
      tt.same((err as ConfigError).problems, [msg]);
    }
  }
});
