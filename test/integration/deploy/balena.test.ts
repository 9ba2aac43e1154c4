// The balena files as balena would read them: Dockerfile.template rendered
// for every supported device type and parsed with a Dockerfile parser,
// balena.yml and docker-compose.yml validated against schemas of what this
// project needs from them (and what balena accepts).
import t, { type Test } from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { parse as parseYaml } from 'yaml';

const ROOT = resolve(__dirname, '../../../..');
const read = (f: string) => readFileSync(resolve(ROOT, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string; bin: Record<string, string>; scripts: Record<string, string> };
// 64-bit device types only: one fleet builds for one architecture.
const MACHINES = ['raspberrypi3-64', 'raspberrypi4-64', 'raspberrypi5', 'raspberrypicm4-ioboard', 'raspberrypi0-2w-64'];
const RUNTIME_PACKAGES = [
  'nodejs', 'gstreamer1.0-tools', 'gstreamer1.0-plugins-base', 'gstreamer1.0-plugins-good', 'gstreamer1.0-plugins-bad',
  'gstreamer1.0-plugins-ugly', 'gstreamer1.0-libav', 'gstreamer1.0-alsa', 'gstreamer1.0-x',
  // gdk-pixbuf tells image formats apart by their MIME type: without the database the pairing card cannot be loaded into the stream.
  'shared-mime-info',
];

interface Stage {
  from: Instruction & { getImageName(): string | null; getImageTag(): string | null; getBuildStage(): string | null };
  body: Instruction[];
}

function stages(text: string): Stage[] {
  const out: Stage[] = [];
  for (const ins of DockerfileParser.parse(text).getInstructions()) {
    if (ins.getKeyword() === 'FROM') out.push({ from: ins as Stage['from'], body: [] });
    else out[out.length - 1]?.body.push(ins);
  }
  return out;
}

const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const runText = (s: Stage) => s.body.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '').join(' ');

for (const machine of MACHINES) {
  t.test(`Dockerfile.template rendered for ${machine}`, async (t) => {
    const text = read('Dockerfile.template').replaceAll('%%BALENA_MACHINE_NAME%%', machine);
    t.notMatch(text, /%%/, 'no unresolved balena placeholder');
    const [build, run, ...more] = stages(text);
    t.same(more, [], 'two stages: build and run');
    // Docker's official multi-architecture Debian 13 image: the builder pulls
    // the variant of the fleet's architecture.
    t.equal(build?.from.getImageName(), 'debian', 'the build stage is on the official Debian image');
    t.equal(build?.from.getImageTag(), 'trixie-slim');
    t.equal(run?.from.getImageName(), 'debian', 'the run stage is on the official Debian image');
    t.equal(run?.from.getImageTag(), 'trixie-slim');
    t.notMatch(runText(run!), /\S+-dev\b|\bg\+\+|\bgcc\b|\bmake\b|\bnpm\b|\bpython3\b/, 'the image that ships has no compilers, headers or npm');
    t.notMatch(runText(run!), /\bffmpeg\b/, 'no ffmpeg: the demo publishes with GStreamer');
    t.notMatch(runText(run!), /fonts-noto-cjk/, 'one small CJK font, not all of Noto CJK');
    t.match(runText(run!), /fonts-wqy-microhei/, 'a font with the Simplified Chinese glyphs');
    t.match(runText(run!), /path-exclude \/usr\/share\/doc/, 'no documentation');
    t.match(runText(run!), /--no-install-recommends/, 'no recommended extras');
    const stageName = build?.from.getBuildStage();
    for (const copy of run!.body.filter((i) => i.getKeyword() === 'COPY')) {
      const flags = (copy as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags();
      const from = flags.find((f) => f.getName() === 'from')?.getValue();
      t.equal(from, stageName, `run stage copies only from the build stage: ${copy.getArgumentsContent()}`);
    }
    for (const p of RUNTIME_PACKAGES) t.match(runText(run!), new RegExp(`\\b${p.replace(/\./g, '\\.')}\\b`), `run stage installs ${p}`);
    t.match(runText(build!), /libgstreamer1\.0-dev/, 'build stage has the headers for the native binding');

    const envs = run!.body.filter((i) => i.getKeyword() === 'ENV').flatMap((i) => (i as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties());
    const registry = envs.find((p) => p.getName() === 'GST_REGISTRY')?.getValue();
    t.ok(registry, 'the GStreamer registry has a fixed place');
    const runs = run!.body.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '');
    const envAt = run!.body.findIndex((i) => i.getKeyword() === 'ENV' && /GST_REGISTRY/.test(i.getArgumentsContent() ?? ''));
    const inspectAt = run!.body.findIndex((i) => i.getKeyword() === 'RUN' && /gst-inspect-1\.0/.test(i.getArgumentsContent() ?? ''));
    t.ok(runs.length > 0 && inspectAt > envAt && envAt >= 0, 'the registry is built at build time, after its place is set');
    t.notOk(run!.body.some((i) => i.getKeyword() === 'USER'), 'the registry is built as the user the daemon runs as (root)');

    const cmds = run!.body.filter((i) => i.getKeyword() === 'CMD');
    t.equal(cmds.length, 1, 'one CMD');
    const cmd = cmds[0] as unknown as { getJSONStrings(): { getJSONValue(): string }[] };
    t.ok(typeof cmd.getJSONStrings === 'function' && cmd.getJSONStrings().length > 0, 'CMD in exec form, so SIGTERM reaches node');
    t.same(cmd.getJSONStrings().map((s) => s.getJSONValue()), ['node', pkg.bin.liveplayerd], 'CMD runs the package bin');
    t.notOk(run!.body.some((i) => i.getKeyword() === 'ENTRYPOINT'), 'no entry script: node is PID 1 and gets SIGTERM');
  });
}

t.test('every COPY source of the build stage exists and is not docker-ignored', async (t) => {
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const [build] = stages(read('Dockerfile.template'));
  for (const copy of build!.body.filter((i) => i.getKeyword() === 'COPY')) {
    for (const src of args(copy).slice(0, -1)) {
      t.ok(existsSync(resolve(ROOT, src)), `${src} exists`);
      t.notOk(ignored.includes(src), `${src} is sent to the builder`);
    }
  }
  t.ok(ignored.includes('node_modules'), "the host's node_modules (wrong CPU) is never sent");
});

t.test('the binding patches reach npm ci in the build stage, and the binding is compiled once', async (t) => {
  const [build] = stages(read('Dockerfile.template'));
  const body = build!.body.map((i) => ({ kw: i.getKeyword(), text: args(i).join(' ') }));
  const ci = body.findIndex((i) => i.kw === 'RUN' && /\bnpm ci\b/.test(i.text));
  const patches = body.findIndex((i) => i.kw === 'COPY' && /^patches\b/.test(i.text));
  t.ok(ci > 0, 'the build stage runs npm ci');
  t.ok(patches >= 0 && patches < ci, 'patches/ is copied before npm ci');
  const ciText = body[ci]!.text;
  t.match(ciText, /npm ci [^&]*--ignore-scripts/, 'npm ci does not compile the unpatched binding');
  t.ok(ciText.indexOf('patch-package') > ciText.indexOf('npm ci') && ciText.indexOf('npm rebuild gstreamer-superficial') > ciText.indexOf('patch-package'),
    'the patch is applied, then the binding compiled once');
  t.match(body.map((i) => i.text).join('\n'), /npm prune --omit=dev/, 'production node_modules only');
  t.match(pkg.scripts.postinstall, /patch-package/, 'postinstall applies the patches');
  t.ok(readdirSync(resolve(ROOT, 'patches')).some((f) => f.startsWith('gstreamer-superficial+')), 'the binding patch exists');
});

const ajv = new Ajv({ allErrors: true, strict: false });
const check = (t: Test, schema: object, doc: unknown) => {
  const validate = ajv.compile(schema);
  t.ok(validate(doc), JSON.stringify(validate.errors));
  return validate;
};

const balenaSchema = {
  type: 'object',
  required: ['name', 'type', 'description', 'version', 'data'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9-]+$' },
    type: { const: 'sw.application' },
    description: { type: 'string', minLength: 20 },
    version: { const: pkg.version },
    'post-provisioning': { type: 'string' },
    assets: { type: 'object' },
    joinable: { type: 'boolean' },
    data: {
      type: 'object',
      required: ['supportedDeviceTypes', 'defaultDeviceType'],
      additionalProperties: false,
      properties: {
        defaultDeviceType: { enum: MACHINES },
        supportedDeviceTypes: { type: 'array', items: { enum: MACHINES }, uniqueItems: true, minItems: MACHINES.length },
        applicationEnvironmentVariables: {
          type: 'array',
          items: {
            type: 'object', minProperties: 1, maxProperties: 1,
            propertyNames: { pattern: '^LIVEPLAYER_[A-Z_]+$' },
            additionalProperties: { type: 'string' },
          },
        },
        applicationConfigVariables: { type: 'array' },
      },
    },
  },
};

t.test('balena.yml', async (t) => {
  const doc = parseYaml(read('balena.yml'));
  check(t, balenaSchema, doc);
  t.test('the schema refuses a wrong file', async (t) => {
    const v = ajv.compile(balenaSchema);
    t.notOk(v({ ...doc, type: 'sw.block' }), 'wrong type');
    t.notOk(v({ ...doc, data: { ...doc.data, supportedDeviceTypes: ['raspberrypi4-64'] } }), 'missing boards');
    t.notOk(v({ ...doc, data: { ...doc.data, applicationEnvironmentVariables: [{ SRC: 'x' }] } }), 'a variable outside LIVEPLAYER_*');
  });
});

// The compose keys balena's supervisor supports; anything else is refused at push.
const SERVICE_KEYS = [
  'build', 'image', 'command', 'entrypoint', 'environment', 'labels', 'volumes', 'devices', 'privileged', 'network_mode',
  'restart', 'cap_add', 'cap_drop', 'group_add', 'tmpfs', 'ulimits', 'stop_grace_period', 'stop_signal', 'depends_on',
  'healthcheck', 'init', 'ports', 'expose', 'user', 'working_dir', 'security_opt', 'shm_size', 'sysctls',
];

const composeSchema = {
  type: 'object',
  required: ['version', 'services', 'volumes'],
  properties: {
    version: { enum: ['2', '2.0', '2.1', '2.2', '2.3', '2.4'] },
    volumes: { type: 'object', required: ['liveplayer-state'] },
    services: {
      type: 'object',
      required: ['liveplayerd'],
      additionalProperties: false,
      properties: {
        liveplayerd: {
          type: 'object',
          required: ['build', 'network_mode', 'labels', 'volumes', 'restart'],
          propertyNames: { enum: SERVICE_KEYS },
          properties: {
            network_mode: { const: 'host' },
            restart: { const: 'always' },
            labels: {
              type: 'object',
              required: ['io.balena.features.dbus', 'io.balena.features.supervisor-api'],
              additionalProperties: { type: 'string' },
            },
            volumes: { type: 'array', contains: { const: 'liveplayer-state:/data/liveplayerd' } },
            environment: {
              type: 'object',
              required: ['LIVEPLAYER_STATE_DIR'],
              properties: { LIVEPLAYER_STATE_DIR: { const: '/data/liveplayerd' } },
            },
          },
          // The media devices: either all of /dev via privileged or each one listed.
          anyOf: [
            { required: ['privileged'], properties: { privileged: { const: true } } },
            { required: ['devices'], properties: { devices: { type: 'array', allOf: ['/dev/dri', '/dev/snd'].map((d) => ({ contains: { type: 'string', pattern: `^${d}` } })) } } },
          ],
        },
      },
    },
  },
};

t.test('docker-compose.yml', async (t) => {
  const doc = parseYaml(read('docker-compose.yml'));
  check(t, composeSchema, doc);
  t.test('the schema refuses a wrong file', async (t) => {
    const v = ajv.compile(composeSchema);
    const svc = doc.services.liveplayerd;
    const without = (k: string) => Object.fromEntries(Object.entries(svc).filter(([key]) => key !== k));
    t.notOk(v({ ...doc, services: { liveplayerd: without('privileged') } }), 'no device access');
    t.notOk(v({ ...doc, services: { liveplayerd: { ...svc, labels: { 'io.balena.features.dbus': 1 } } } }), 'a label that is not a string');
    t.notOk(v({ ...doc, services: { liveplayerd: { ...svc, container_name: 'x' } } }), 'a key balena does not support');
  });
});

// Every element the pipeline descriptions name must come from a package the
// run stage installs. The package is found as a user would: gst-inspect-1.0
// gives the plugin file, dpkg -S the package that ships it (on this Debian).
t.test('the run stage installs the package of every element in gst-pipelines/', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const [, run] = stages(read('Dockerfile.template'));
  const installed = runText(run!);
  const factories = new Set<string>();
  for (const f of readdirSync(resolve(ROOT, 'gst-pipelines')).filter((f) => f.endsWith('.pipeline'))) {
    const body = read(`gst-pipelines/${f}`).split('\n').filter((l) => !l.trim().startsWith('#')).join(' ');
    for (const m of body.matchAll(/(?:^|!)\s*([a-z][a-z0-9_]*)(?=\s|$)/g)) factories.add(m[1]!);
  }
  t.ok(factories.has('textoverlay'), 'the idle screen draws its words with textoverlay');
  for (const factory of factories) {
    const info = execFileSync('gst-inspect-1.0', [factory], { encoding: 'utf8' });
    const file = /Filename\s+(\S+)/.exec(info)?.[1];
    if (!file) {
      t.match(info, /Plugin Details:[\s\S]*Name\s+coreelements/, `${factory} is a core element`);
      continue;
    }
    const pkgName = execFileSync('dpkg', ['-S', file.replace(/^\/lib\//, '/usr/lib/')], { encoding: 'utf8' }).split(':')[0]!;
    if (pkgName === 'libgstreamer1.0-0') continue;
    t.match(installed, new RegExp(`\\b${pkgName.replace(/\./g, '\\.')}\\b`), `run stage installs ${pkgName} (${factory})`);
  }
});
