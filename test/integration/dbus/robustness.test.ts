// Proves the D-Bus surface survives hostile input: over 1,000 malformed calls
// (unknown members, wrong signatures, wrong variant types, bad enum values,
// out-of-range numbers, huge strings, read-only and unknown properties) each
// get a D-Bus error, never a dbus-next stack trace; the daemon keeps serving
// and nothing about the player changed.
import t from 'tap';
import { Message, sessionBus, Variant, type DBusError, type MessageBus } from 'dbus-next';
import { plainSocketAddress } from '../../../src/dbus/bus-address';
import { errorName, gcall, IFACE, MPRIS_NAME, MPRIS_PATH, NAME, PATH, run, startService, type Service } from '../../helpers/dbus-harness';

const PROPS = 'org.freedesktop.DBus.Properties';
const PLAYER = 'org.mpris.MediaPlayer2.Player';

interface Call {
  dest: string;
  path: string;
  iface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}

// A fixed-seed generator, so a failure names a case that can be replayed.
function prng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function malformedCalls(): Call[] {
  const rnd = prng(42);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)];
  const word = (n: number) => Array.from({ length: n }, () => pick('abcXYZ_09'.split(''))).join('');
  const lp = (member: string, signature = '', body: unknown[] = []): Call => ({ dest: NAME, path: PATH, iface: IFACE, member, signature, body });
  const set = (prop: string, v: Variant, iface = IFACE, dest = NAME, path = PATH): Call => ({ dest, path, iface: PROPS, member: 'Set', signature: 'ssv', body: [iface, prop, v] });
  const calls: Call[] = [];
  const huge = 'x'.repeat(1 << 20);
  for (let i = 0; i < 150; i++) calls.push(lp(`No${word(6)}`), { dest: MPRIS_NAME, path: MPRIS_PATH, iface: PLAYER, member: `No${word(5)}` });
  const wrongSigs: [string, string, unknown[]][] = [
    ['Play', 's', ['x']], ['Stop', 'i', [1]], ['Mute', 'b', [true]], ['Pause', 'd', [1.5]], ['Resume', 'as', [['a']]],
    ['RequestFullScreen', 's', ['90']], ['RequestFullScreen', 'x', [90n]], ['RequestFullScreen', 'ii', [90, 0]], ['RequestFullScreen', 'd', [90]],
    ['RequestFullScreen', '', []], ['Snapshot', 's', ['raw']], ['Snapshot', 'sss', ['raw', 'stream', 'x']], ['Snapshot', 'ii', [1, 2]],
    ['ExitFullScreen', 'u', [1]], ['RequestPictureInPicture', 'a{sv}', [{}]],
  ];
  for (let i = 0; i < 10; i++) for (const [m, sig, body] of wrongSigs) calls.push(lp(m, sig, body));
  for (let i = 0; i < 120; i++) {
    let d = Math.floor((rnd() - 0.5) * 2 ** 31);
    if (d === 0 || d === 90 || d === -90) d = 45;
    calls.push(lp('RequestFullScreen', 'i', [d]));
  }
  for (let i = 0; i < 100; i++) calls.push(lp('Snapshot', 'ss', [pick(['RAW', 'png', word(4), huge.slice(0, 5000)]), pick(['', 'stream', 'view'])]));
  for (let i = 0; i < 40; i++) calls.push(lp('Snapshot', 'ss', ['raw', pick(['Stream', 'screen', word(8)])]));
  const enums: Record<string, string[]> = { Mode: ['vod', 'LIVE', ''], Orientation: ['diagonal', 'Vertical'], ObjectFit: ['cover', 'fill'], SoundMode: ['loud', 'EAR'] };
  for (let i = 0; i < 120; i++) {
    const prop = pick(Object.keys(enums));
    calls.push(set(prop, new Variant('s', pick([...enums[prop], word(12), huge]))));
  }
  for (let i = 0; i < 80; i++) calls.push(set(pick(['MinCache', 'MaxCache']), new Variant('d', pick([-1e-9, 60.0001, 1e300, -1e300, -rnd() * 100 - 0.01]))));
  for (let i = 0; i < 80; i++) calls.push(set('Src', new Variant('s', pick(['file:///etc/passwd', 'javascript:alert(1)', 'rtmp://', `rtmp://h/${huge}`, 'rtmp://h/a\tb', word(20), 'gopher://h/x']))));
  const wrongTypes: [string, Variant][] = [
    ['Src', new Variant('i', 1)], ['Mode', new Variant('b', true)], ['Autoplay', new Variant('s', 'true')], ['Muted', new Variant('i', 1)],
    ['Orientation', new Variant('as', ['vertical'])], ['ObjectFit', new Variant('y', 1)], ['MinCache', new Variant('i', 1)], ['MaxCache', new Variant('s', '3')],
    ['BackgroundMute', new Variant('d', 1)], ['SoundMode', new Variant('a{sv}', {})], ['Muted', new Variant('v', new Variant('b', true))],
  ];
  for (let i = 0; i < 6; i++) for (const [p, v] of wrongTypes) calls.push(set(p, v));
  for (const p of ['State', 'LastCode', 'FullScreen', 'Direction']) for (let i = 0; i < 10; i++) calls.push(set(p, new Variant('s', 'playing')));
  for (let i = 0; i < 40; i++) calls.push(set(`No${word(5)}`, new Variant('b', true)), set('Src', new Variant('s', 'rtmp://h/x'), `org.nope.${word(4)}`));
  for (let i = 0; i < 20; i++) calls.push({ dest: NAME, path: PATH, iface: PROPS, member: 'Set', signature: 'ss', body: [IFACE, 'Muted'] });
  for (let i = 0; i < 20; i++) calls.push({ dest: NAME, path: PATH, iface: PROPS, member: 'Get', signature: 'ss', body: [IFACE, `No${word(4)}`] });
  for (let i = 0; i < 20; i++) calls.push({ dest: NAME, path: `/org/liveplayerd/${word(6)}`, iface: IFACE, member: 'Play' });
  // NaN and infinities cannot be sent by dbus-next; busctl sends them below.
  for (let i = 0; i < 20; i++) calls.push(set('Volume', new Variant('s', '0'), PLAYER, MPRIS_NAME, MPRIS_PATH), set('Rate', new Variant('d', 0.5 + rnd()), PLAYER, MPRIS_NAME, MPRIS_PATH));
  for (let i = 0; i < 20; i++) calls.push({ dest: MPRIS_NAME, path: MPRIS_PATH, iface: PLAYER, member: 'OpenUri', signature: 's', body: [pick(['file:///etc/shadow', huge, word(10)])] });
  for (let i = 0; i < 10; i++) calls.push({ dest: MPRIS_NAME, path: MPRIS_PATH, iface: PLAYER, member: 'Seek', signature: 's', body: ['10'] });
  return calls;
}

let s: Service;
let client: MessageBus;
t.before(async () => {
  s = await startService({ attributes: { src: 'rtmp://10.0.0.5/live/room1', minCache: 2, maxCache: 4 } });
  s.player.play();
  s.engine.events.code(2004);
  // The daemon's own transport (bus-address.ts): usocket would lose this
  // client's megabyte-sized writes and hang it.
  client = sessionBus({ busAddress: plainSocketAddress(s.daemon.address) });
});
t.teardown(async () => {
  client?.disconnect();
  await s?.stop();
});

t.test('over 1,000 malformed calls: each a D-Bus error, none a stack trace, nothing changed', async (t) => {
  const before = s.player.view();
  const calls = malformedCalls();
  t.ok(calls.length >= 1000, `${calls.length} calls`);
  const names = new Map<string, number>();
  let succeeded = 0;
  for (let i = 0; i < calls.length; i += 50) {
    await Promise.all(
      calls.slice(i, i + 50).map(async (c, j) => {
        const msg = new Message({ destination: c.dest, path: c.path, interface: c.iface, member: c.member, signature: c.signature ?? '', body: c.body ?? [] });
        try {
          await Promise.race([client.call(msg), new Promise((_, reject) => setTimeout(() => reject(new Error(`call ${i + j} (${c.member}) got no reply`)), 10_000))]);
          succeeded++;
          t.fail(`call ${i + j} (${c.member} ${c.signature}) succeeded`);
        } catch (e) {
          const type = (e as DBusError).type ?? String(e);
          names.set(type, (names.get(type) ?? 0) + 1);
        }
      }),
    );
  }
  t.equal(succeeded, 0);
  t.same([...names.keys()].filter((n) => !/^org\.(liveplayerd|freedesktop\.DBus)\.Error\.\w+$/.test(n)), [], 'only contract and standard error names');
  t.ok((names.get('org.liveplayerd.Error.InvalidArgument') ?? 0) > 500, 'bad values are InvalidArgument');
  t.comment(JSON.stringify(Object.fromEntries(names)));
  t.same(s.player.view().attributes, before.attributes, 'attributes unchanged');
  t.equal(s.player.state, 'playing');
  t.same(s.player.view().fullScreen, before.fullScreen);
});

t.test('malformed calls from the command-line clients get errors too; the daemon still answers', async (t) => {
  const bad: [string, string[]][] = [
    ['gdbus', ['call', '--session', '--dest', NAME, '--object-path', PATH, '--method', `${IFACE}.RequestFullScreen`, "'90'"]],
    ['gdbus', ['call', '--session', '--dest', NAME, '--object-path', PATH, '--method', `${IFACE}.Snapshot`, "'raw'"]],
    ['gdbus', ['call', '--session', '--dest', NAME, '--object-path', PATH, '--method', `${IFACE}.Explode`]],
    ['busctl', [`--address=${s.daemon.address}`, 'call', NAME, PATH, IFACE, 'RequestFullScreen', 's', 'sideways']],
    ['busctl', [`--address=${s.daemon.address}`, 'set-property', NAME, PATH, IFACE, 'Orientation', 's', 'upside-down']],
    ['busctl', [`--address=${s.daemon.address}`, 'set-property', NAME, PATH, IFACE, 'MinCache', 'd', 'nan']],
    ['busctl', [`--address=${s.daemon.address}`, 'set-property', NAME, PATH, IFACE, 'MaxCache', 'd', 'inf']],
    ['busctl', [`--address=${s.daemon.address}`, 'set-property', NAME, PATH, IFACE, 'MinCache', 'd', '-inf']],
    ['busctl', [`--address=${s.daemon.address}`, 'set-property', MPRIS_NAME, MPRIS_PATH, PLAYER, 'Volume', 'd', 'nan']],
    ['busctl', [`--address=${s.daemon.address}`, 'set-property', MPRIS_NAME, MPRIS_PATH, PLAYER, 'Rate', 'd', 'nan']],
    ['busctl', [`--address=${s.daemon.address}`, 'set-property', NAME, PATH, IFACE, 'Direction', 'i', '90']],
  ];
  const before = s.player.attributes;
  for (const [cmd, args] of bad) {
    const r = await run(cmd, args, s.env);
    t.not(r.code, 0, `${cmd} ${args.slice(-3).join(' ')}`);
    t.notMatch(r.stderr, /dbus_next|at .*\.js:\d+/, 'no stack trace');
  }
  t.same(s.player.attributes, before);
  const ping = await gcall(s.env, 'org.freedesktop.DBus.Peer.Ping');
  t.equal(ping.code, 0, ping.stderr);
  t.equal((await run('playerctl', ['-p', 'liveplayerd', 'status'], s.env)).stdout, 'Playing');
  t.equal(errorName(await gcall(s.env, `${IFACE}.RequestFullScreen`, ['7'])), 'org.liveplayerd.Error.InvalidArgument');
});
