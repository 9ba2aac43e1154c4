// Proves every read-write property of org.liveplayerd.LivePlayer1 can be read
// and set with real clients (busctl reads, gdbus writes), that every bad value
// (wrong enum, out of range, wrong D-Bus type, bad URL) is refused with
// org.liveplayerd.Error.InvalidArgument and changes nothing, and that the
// read-only properties refuse writes.
import t from 'tap';
import { bget, errorName, gset, startService, type Service } from '../../helpers/dbus-harness';

interface Case {
  prop: string;
  type: string;
  initial: unknown;
  set: string;
  expect: unknown;
  bad: string[];
}

const CASES: Case[] = [
  { prop: 'Src', type: 's', initial: '', set: "<'rtmp://10.0.0.5/live/room1'>", expect: 'rtmp://10.0.0.5/live/room1', bad: ["<'file:///etc/passwd'>", "<'not a url'>", "<'rtmp://h/a b'>", `<'rtmp://h/${'x'.repeat(3000)}'>`, '<true>'] },
  { prop: 'Mode', type: 's', initial: 'live', set: "<'RTC'>", expect: 'RTC', bad: ["<'vod'>", "<'LIVE'>", "<''>", '<1>'] },
  { prop: 'Autoplay', type: 'b', initial: false, set: '<true>', expect: true, bad: ["<'true'>", '<1>', '<byte 1>'] },
  { prop: 'Muted', type: 'b', initial: false, set: '<true>', expect: true, bad: ["<'yes'>", '<uint32 1>'] },
  { prop: 'Volume', type: 'i', initial: 100, set: '<35>', expect: 35, bad: ['<101>', '<-1>', '<2147483647>', "<'50'>", '<50.0>', '<uint32 50>'] },
  { prop: 'Orientation', type: 's', initial: 'vertical', set: "<'horizontal'>", expect: 'horizontal', bad: ["<'diagonal'>", '<90>'] },
  { prop: 'ObjectFit', type: 's', initial: 'contain', set: "<'fillCrop'>", expect: 'fillCrop', bad: ["<'cover'>", '<false>'] },
  { prop: 'MaxCache', type: 'd', initial: 3, set: '<5.5>', expect: 5.5, bad: ['<60.5>', '<-1.0>', '<5>', "<'5'>", '<1.0e308>'] },
  { prop: 'MinCache', type: 'd', initial: 1, set: '<2.0>', expect: 2, bad: ['<-0.5>', '<6.0>', '<uint32 2>'] },
  { prop: 'BackgroundMute', type: 'b', initial: false, set: '<true>', expect: true, bad: ["<'x'>"] },
  { prop: 'SoundMode', type: 's', initial: 'speaker', set: "<'ear'>", expect: 'ear', bad: ["<'loud'>", "<'speaker '>", '<@as []>'] },
];

let s: Service;
t.before(async () => {
  s = await startService();
});
t.teardown(() => s?.stop());

for (const c of CASES) {
  t.test(`${c.prop} (${c.type}) reads, sets, and refuses bad values`, async (t) => {
    t.same(await bget(s.env, c.prop), { type: c.type, data: c.initial });
    for (const bad of c.bad) {
      const before = s.player.attributes;
      const r = await gset(s.env, c.prop, bad);
      t.equal(errorName(r), 'org.liveplayerd.Error.InvalidArgument', `${c.prop} = ${bad.slice(0, 40)}`);
      t.same(s.player.attributes, before, 'nothing changed');
    }
    const r = await gset(s.env, c.prop, c.set);
    t.equal(r.code, 0, r.stderr);
    t.same(await bget(s.env, c.prop), { type: c.type, data: c.expect });
  });
}

t.test('MinCache above MaxCache is refused as a whole', async (t) => {
  const before = s.player.attributes;
  const r = await gset(s.env, 'MinCache', `<${(before.maxCache + 1).toFixed(1)}>`);
  t.equal(errorName(r), 'org.liveplayerd.Error.InvalidArgument');
  t.match(r.stderr, 'must not exceed maxCache');
  t.same(s.player.attributes, before);
});

t.test('read-only properties refuse writes with PropertyReadOnly', async (t) => {
  for (const [prop, value] of [['State', "<'playing'>"], ['LastCode', '<2004>'], ['FullScreen', '<true>'], ['Direction', '<90>']]) {
    const r = await gset(s.env, prop, value);
    t.equal(errorName(r), 'org.freedesktop.DBus.Error.PropertyReadOnly', prop);
  }
  t.same(await bget(s.env, 'FullScreen'), { type: 'b', data: false });
});

t.test('GetAll returns every property with its type', async (t) => {
  const { run } = await import('../../helpers/dbus-harness');
  const r = await run('busctl', [`--address=${s.daemon.address}`, '--json=short', 'call', 'org.liveplayerd', '/org/liveplayerd/Player', 'org.freedesktop.DBus.Properties', 'GetAll', 's', 'org.liveplayerd.LivePlayer1'], s.env);
  t.equal(r.code, 0, r.stderr);
  const all = (JSON.parse(r.stdout) as { data: [Record<string, { type: string }>] }).data[0];
  t.same(Object.keys(all).sort(), [...CASES.map((c) => c.prop), 'State', 'LastCode', 'FullScreen', 'Direction'].sort());
  t.equal(all.MinCache.type, 'd');
  t.equal(all.LastCode.type, 'i');
});
