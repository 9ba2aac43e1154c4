// Property and event parity between HTTP and D-Bus, on the real daemon
// serving a private bus. Attributes are walked from the attribute schema
// itself, so an attribute added without a D-Bus property (or without HTTP
// support) fails here. Each one is set to a non-default value over HTTP PATCH
// and back over D-Bus Properties.Set, read back on both sides each time, and
// a bad value is refused by both with a clear error and changes nothing.
// Then every event of the spec is provoked by a real stream and must arrive
// both as an SSE event and as a D-Bus signal.
import t, { type Test } from 'tap';
import { AttributesSchema, DEFAULT_ATTRIBUTES, type Attributes } from '../../../src/player/attributes';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';
import { startDbusDaemon } from '../../helpers/dbus-daemon';
import { startFaultProxy } from '../../helpers/fault-proxy';
import { publishedStream } from '../../helpers/media-servers';
import { sleep } from '../../helpers/time';
import { bget, errorName, gcall, gset, IFACE, SignalMonitor, until } from '../../helpers/dbus-harness';

type Value = string | number | boolean;

interface PropSchema {
  type?: string;
  anyOf?: { const: Value }[];
  maximum?: number;
  maxLength?: number;
}

/** The D-Bus property of an attribute: the key with its first letter capitalised (objectFit -> ObjectFit). */
const dbusName = (key: string): string => key[0]!.toUpperCase() + key.slice(1);

/** A playable-looking address that is never played here (autoplay stays off while it is set). */
const SAMPLE_SRC = 'rtmp://127.0.0.1:9/live/parity';

/** A valid value other than the default, and values the schema refuses, derived from the schema. */
function casesFor(key: keyof Attributes, s: PropSchema): { other: Value; bad: Value[] } {
  const def = DEFAULT_ATTRIBUTES[key];
  if (s.anyOf) return { other: s.anyOf.map((x) => x.const).find((v) => v !== def)!, bad: ['bogus', String(def).toUpperCase() + ' '] };
  if (s.type === 'boolean') return { other: !def, bad: ['yes'] };
  if (s.type === 'number') return { other: (def as number) + 0.5, bad: [(s.maximum ?? 1e9) + 1, -1] };
  if (s.type === 'integer') return { other: def === 37 ? 38 : 37, bad: [(s.maximum ?? 1e9) + 1, -1] };
  if (s.type === 'string' && key === 'src') return { other: SAMPLE_SRC, bad: ['file:///etc/passwd', 'x'.repeat((s.maxLength ?? 4096) + 1)] };
  throw new Error(`no example values for attribute ${key}: add them to this test`);
}

/** GVariant text for gdbus: doubles always with a decimal point, so they are not read as int32. */
function gvariant(v: Value, integer = false): string {
  if (typeof v === 'boolean') return `<${v}>`;
  if (typeof v === 'number') return `<${Number.isInteger(v) && !integer ? v.toFixed(1) : String(v)}>`;
  return `<'${v}'>`;
}

let d: RunningDaemon;
let env: NodeJS.ProcessEnv;

t.before(async () => {
  const bus = await startDbusDaemon({ defaults: 'session' });
  t.teardown(() => bus.stop());
  env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address };
  d = await startDaemon({ args: ['--dbus', 'session', '--reconnect-attempts', '1', '--reconnect-interval', '1', '--rejoin', 'off'], env: { DBUS_SESSION_BUS_ADDRESS: bus.address } });
  t.teardown(() => d.stop());
  if (!(await until(() => d.logs().some((l) => l.includes('serving on D-Bus')), 20000))) throw new Error('daemon did not serve on D-Bus');
});

async function both(tt: Test, key: keyof Attributes, want: Value, what: string): Promise<void> {
  tt.same((await d.api('GET', '/api/v1/player')).body.attributes[key], want, `${what}: GET /api/v1/player shows ${key} = ${String(want).slice(0, 40)}`);
  const got = await bget(env, dbusName(key)).catch((e: Error) => ({ type: 'missing', data: e.message }));
  tt.same(got.data, want, `${what}: D-Bus property ${dbusName(key)} reads ${String(want).slice(0, 40)}`);
}

const schemaProps = AttributesSchema.properties as unknown as Record<keyof Attributes, PropSchema>;

t.test('the schema has the attributes of the spec', async (tt) => {
  // The spec's table (live-player.md) in its camelCase form: the schema may add, never drop.
  const spec = ['src', 'mode', 'autoplay', 'muted', 'orientation', 'objectFit', 'backgroundMute', 'minCache', 'maxCache', 'soundMode'];
  for (const k of spec) tt.ok(k in schemaProps, `schema has ${k}`);
});

for (const key of Object.keys(schemaProps) as (keyof Attributes)[]) {
  t.test(`attribute ${key}: HTTP and D-Bus set it, both read it back, both refuse a bad value`, async (tt) => {
    const { other, bad } = casesFor(key, schemaProps[key]);
    const def = DEFAULT_ATTRIBUTES[key];
    await both(tt, key, def, 'at start');

    const patched = await d.api('PATCH', '/api/v1/player', { [key]: other });
    tt.equal(patched.status, 200, `PATCH ${key}: ${JSON.stringify(patched.body).slice(0, 200)}`);
    await both(tt, key, other, 'after PATCH');

    const set = await gset(env, dbusName(key), gvariant(def, schemaProps[key].type === 'integer'));
    tt.equal(set.code, 0, `D-Bus Set ${dbusName(key)} back to ${String(def)}: ${set.stderr}`);
    await both(tt, key, def, 'after D-Bus Set');

    for (const b of bad) {
      const before = (await d.api('GET', '/api/v1/player')).body.attributes;
      const r = await d.api('PATCH', '/api/v1/player', { [key]: b });
      tt.equal(r.status, 400, `PATCH ${key} = ${String(b).slice(0, 30)}: 400`);
      tt.match(String(r.body.errMsg), new RegExp(`^setAttributes:fail .*${key}`), `the error names the attribute: ${String(r.body.errMsg).slice(0, 120)}`);
      const g = await gset(env, dbusName(key), gvariant(b, schemaProps[key].type === 'integer'));
      tt.equal(errorName(g), 'org.liveplayerd.Error.InvalidArgument', `D-Bus Set ${dbusName(key)} = ${String(b).slice(0, 30)}: ${g.stderr.slice(0, 160)}`);
      tt.same((await d.api('GET', '/api/v1/player')).body.attributes, before, 'nothing changed');
    }
  });
}

// Every event of the spec's table, with its SSE event name and D-Bus signal.
const EVENTS = [
  { spec: 'statechange', sse: 'statechange', signal: 'StateChange' },
  { spec: 'netstatus', sse: 'netstatus', signal: 'NetStatus' },
  { spec: 'fullscreenchange', sse: 'fullscreenchange', signal: 'FullScreenChange' },
  { spec: 'audiovolumenotify', sse: 'audiovolumenotify', signal: 'AudioVolumeNotify' },
  // `error` on SSE would also fire EventSource's own onerror (connection lost).
  { spec: 'error', sse: 'playererror', signal: 'Error' },
];

t.test('every event of the spec arrives on SSE and as a D-Bus signal', { timeout: 90000 }, async (tt) => {
  const { server: nginx } = await publishedStream(tt, { server: 'nginx', name: 'ev', waitMs: 20000 });
  const proxy = await startFaultProxy({ targetPort: nginx.port });
  tt.teardown(() => proxy.stop());
  const mon = await SignalMonitor.start(env);
  tt.teardown(() => mon.stop());
  const sub = await d.subscribe();

  tt.equal((await gset(env, 'Src', gvariant(proxy.via(nginx.rtmpUrl('ev'))))).code, 0);
  tt.equal((await gcall(env, `${IFACE}.Play`)).code, 0);
  await sub.waitForCode(2004, 20000);
  await sub.waitFor((e) => e.event === 'audiovolumenotify', 10000, 'audiovolumenotify');
  await sub.waitFor((e) => e.event === 'netstatus', 10000, 'netstatus');
  tt.same((await d.api('POST', '/api/v1/player/requestFullScreen', { direction: 90 })).body, { errMsg: 'requestFullScreen:ok' });
  // A drop with no way back: 2103, the one attempt refused, -2301, and the error event
  // (with --rejoin off; with it on, the TV waits for the stream instead: tv/rejoin.test.ts).
  proxy.refuseNew(true);
  proxy.cut();
  await sub.waitForCode(-2301, 20000);
  await sub.waitFor((e) => e.event === 'playererror', 5000, 'playererror');
  await until(() => EVENTS.every((e) => mon.signals(e.signal).length > 0), 5000);
  await sleep(200);

  for (const e of EVENTS) {
    const sse = sub.events.filter((x) => x.event === e.sse);
    tt.ok(sse.length > 0, `${e.spec}: SSE event ${e.sse} (${sse.length} seen)`);
    const sig = mon.signals(e.signal).filter((s) => s.iface === IFACE);
    tt.ok(sig.length > 0, `${e.spec}: D-Bus signal ${IFACE}.${e.signal} (${sig.length} seen)`);
  }
  // The payloads agree between the two surfaces.
  const err = sub.events.find((x) => x.event === 'playererror')!.data;
  tt.match(err.errMsg, /-2301|gave up/, `error {errMsg}: ${err.errMsg}`);
  tt.ok(mon.signals('Error').some((s) => s.body.includes('gave up')), 'D-Bus Error carries the same errMsg');
  tt.same(sub.events.find((x) => x.event === 'fullscreenchange')!.data, { direction: 90, fullScreen: true });
  tt.match(mon.signals('FullScreenChange')[0]!.body, /int32 90\s+boolean true/);
  const vol = sub.events.find((x) => x.event === 'audiovolumenotify')!.data.volume;
  tt.ok(Number.isInteger(vol) && vol >= 0 && vol <= 100, `audiovolumenotify {volume}: ${vol}`);
  tt.match(mon.signals('AudioVolumeNotify')[0]!.body, /int32 \d+/);
  tt.ok(mon.signals('StateChange').some((s) => /int32 -2301/.test(s.body)), 'StateChange carries -2301');
  tt.ok(mon.signals('NetStatus').some((s) => s.body.includes('"videoBitrate"')), 'NetStatus carries videoBitrate');
});
