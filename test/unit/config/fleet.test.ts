// The fleet values of the configuration, as a table: LIVEPLAYER_CHANNELS in
// every shape a fleet admin may paste (usable, partly usable, broken: a
// warning, never an error), the balena device name as the default name, and
// --public-url's form.
import t from 'tap';
import { ConfigError, loadConfig } from '../../../src/config/load';
import { parseFleetChannels } from '../../../src/config/fleet-channels';

const ok = 'rtmp://10.0.0.5/live/a';
const cases: [string, string, string[], RegExp | null][] = [
  ['a list', JSON.stringify([{ name: 'A', src: ok }, { name: 'B', src: 'https://cdn.example/b.flv' }]), ['A', 'B'], null],
  ["a device's channels.json", JSON.stringify({ version: 1, channels: [{ id: '0123456789abcdef', name: ' A ', src: ok }] }), ['A'], null],
  ['not JSON', '[{"name":', [], /not valid JSON/],
  ['not a list', '{"a":1}', [], /must be a JSON list/],
  ['an empty name and a file: URL left out, the rest kept', JSON.stringify([{ name: '', src: ok }, { name: 'F', src: 'file:///etc/passwd' }, { name: 'C', src: ok }]), ['C'], /2 channel\(s\) left out \(#1 name .*; #2 /],
  ['a name twice (case ignored)', JSON.stringify([{ name: 'Maths', src: ok }, { name: 'maths', src: ok }]), ['Maths'], /#2 name used twice/],
  ['a number', '42', [], /must be a JSON list/],
  ['too many', JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ name: `c${i}`, src: ok }))), Array.from({ length: 100 }, (_, i) => `c${i}`), /#101 more than 100 channels/],
];

t.test('LIVEPLAYER_CHANNELS: usable channels kept, one warning otherwise', async (t) => {
  for (const [what, text, names, warning] of cases) {
    const r = parseFleetChannels(text);
    t.same(r.channels.map((c) => c.name), names, `${what}: channels`);
    if (warning) t.match(r.warnings, [warning], `${what}: ${r.warnings[0]}`);
    else t.same(r.warnings, [], `${what}: no warning`);
    t.ok(r.warnings.length <= 1, 'one line at most');
    // Through the whole configuration: never a ConfigError.
    const { config } = loadConfig([], { LIVEPLAYER_CHANNELS: text });
    t.same(config.fleetChannels.map((c) => c.name), names);
    t.equal(config.configWarnings.length, warning ? 1 : 0);
  }
});

t.test('the name: balena device name, host name, LIVEPLAYER_NAME/--name win', async (t) => {
  t.equal(loadConfig([], { BALENA_DEVICE_NAME_AT_INIT: 'Room 12' }).config.name, 'Room 12');
  t.equal(loadConfig([], { BALENA_DEVICE_NAME_AT_INIT: 'Room 12', LIVEPLAYER_NAME: 'Lab' }).config.name, 'Lab');
  t.equal(loadConfig(['--name', 'Hall'], { BALENA_DEVICE_NAME_AT_INIT: 'Room 12' }).config.name, 'Hall');
  const long = loadConfig([], { BALENA_DEVICE_NAME_AT_INIT: 'x'.repeat(64) }).config;
  t.not(long.name, 'x'.repeat(64), 'too long for the screen: not used');
  t.match(long.configWarnings, [/BALENA_DEVICE_NAME_AT_INIT cannot be shown/]);
  t.same(loadConfig([], {}).config.configWarnings, [], 'no warning without the variables');
});

t.test('--public-url takes http(s) addresses only, and says so', async (t) => {
  for (const good of ['http://tv-3.school.lan:8080', 'https://10.0.0.7', 'http://tv/remote/']) t.equal(loadConfig(['--public-url', good]).config.publicUrl, good, good);
  for (const bad of ['tv-3.school.lan', 'ftp://x', 'http://user@x', 'http://x/?a=1', 'http:// x']) {
    t.throws(() => loadConfig(['--public-url', bad]), ConfigError, bad);
    try {
      loadConfig([], { LIVEPLAYER_PUBLIC_URL: bad });
    } catch (err) {
      t.match((err as ConfigError).problems, [/^LIVEPLAYER_PUBLIC_URL /], `${bad}: ${(err as ConfigError).problems[0]}`);
    }
  }
});
