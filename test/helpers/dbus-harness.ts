// Shared by the dbus-* tests: a real LivePlayer over the fake engine,
// served by startDbus on a private dbus-daemon, and the real command-line
// clients (gdbus, busctl, playerctl) pointed at that bus.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { Attributes } from '../../src/player/attributes';
import { LivePlayer } from '../../src/player/player';
import { startDbus, type DbusService } from '../../src/dbus';
import { startDbusDaemon, type DbusDaemon } from './dbus-daemon';
import { FakeEngine } from './fake-engine';
import { sleep } from './time';

export const NAME = 'org.liveplayerd';
export const PATH = '/org/liveplayerd/Player';
export const IFACE = 'org.liveplayerd.LivePlayer1';
export const MPRIS_NAME = 'org.mpris.MediaPlayer2.liveplayerd';
export const MPRIS_PATH = '/org/mpris/MediaPlayer2';

/** A pino logger whose lines the test can read. */
export function memoryLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines: () => lines };
}

export interface Service {
  daemon: DbusDaemon;
  player: LivePlayer;
  engine: FakeEngine;
  service: DbusService;
  logLines: () => Record<string, unknown>[];
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startService(opts: { identity?: string; attributes?: Partial<Attributes> } = {}): Promise<Service> {
  const daemon = await startDbusDaemon({ defaults: 'session' });
  const engine = new FakeEngine();
  const { log, lines } = memoryLogger();
  const player = new LivePlayer({ engine, log, reconnect: { attempts: 3, intervalMs: 3000 } });
  if (opts.attributes) player.setAttributes(opts.attributes);
  const service = await startDbus(player, { bus: 'session', identity: opts.identity ?? 'Room 101', address: daemon.address }, log);
  if (!service) {
    await daemon.stop();
    throw new Error(`startDbus returned null: ${JSON.stringify(lines())}`);
  }
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: daemon.address };
  return {
    daemon,
    player,
    engine,
    service,
    env,
    logLines: lines,
    stop: async () => {
      await service.stop();
      await player.shutdown();
      await daemon.stop();
    },
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 15_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

/** `gdbus call` on our object; `args` are GVariant text. */
export function gcall(env: NodeJS.ProcessEnv, method: string, args: string[] = [], dest = NAME, path = PATH): Promise<Run> {
  return run('gdbus', ['call', '--session', '--dest', dest, '--object-path', path, '--method', method, ...args], env);
}

/** Sets a property with `gdbus call ... Properties.Set`; `value` is GVariant text such as `<true>`. */
export function gset(env: NodeJS.ProcessEnv, prop: string, value: string, iface = IFACE, dest = NAME, path = PATH): Promise<Run> {
  return gcall(env, 'org.freedesktop.DBus.Properties.Set', [iface, prop, value], dest, path);
}

/** Reads a property with busctl's JSON output: `{type, data}`. */
export async function bget(env: NodeJS.ProcessEnv, prop: string, iface = IFACE, dest = NAME, path = PATH): Promise<{ type: string; data: unknown }> {
  const r = await run('busctl', [`--address=${env.DBUS_SESSION_BUS_ADDRESS}`, '--json=short', 'get-property', dest, path, iface, prop], env);
  if (r.code !== 0) throw new Error(`busctl get-property ${prop}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { type: string; data: unknown };
}

/** The D-Bus error name in a failed gdbus call's stderr, e.g. org.liveplayerd.Error.NoSource. */
export function errorName(r: Run): string | null {
  return /GDBus\.Error:([\w.]+):/.exec(r.stderr)?.[1] ?? null;
}

/** Polls `check` until it is true or `ms` pass; tests assert on the result. */
export async function until(check: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

export interface Observed {
  path: string;
  iface: string;
  member: string;
  body: string;
}

/**
 * dbus-monitor watching every signal our daemon sends. It is ready once it
 * has become a monitor (the bus then takes its name away: NameLost).
 */
export class SignalMonitor {
  private out = '';
  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
  }

  static async start(env: NodeJS.ProcessEnv): Promise<SignalMonitor> {
    const child = spawn('dbus-monitor', ['--address', env.DBUS_SESSION_BUS_ADDRESS!, `type='signal',sender='${NAME}'`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const m = new SignalMonitor(child);
    if (!(await until(() => m.out.includes('member=NameLost'), 5000))) {
      m.stop();
      throw new Error('dbus-monitor did not start');
    }
    m.out = '';
    return m;
  }

  /** Every signal seen so far, body as dbus-monitor prints it. */
  signals(member?: string): Observed[] {
    return this.out
      .split(/\n(?=\S)/)
      .filter((block) => block.startsWith('signal '))
      .map((block) => {
        const head = block.split('\n')[0];
        const field = (k: string) => new RegExp(`${k}=([^;\\s]+)`).exec(head)?.[1] ?? '';
        return { path: field('path'), iface: field('interface'), member: field('member'), body: block.slice(head.length) };
      })
      .filter((s) => !member || s.member === member);
  }

  clear(): void {
    this.out = '';
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

/**
 * One interface of `gdbus introspect --xml` as sorted lines such as
 * `method Snapshot(in s quality, in s sourceType, out s path, out u width, out u height)`,
 * `signal StateChange(i code, s message)` and `property readwrite s Src`.
 */
export function interfaceLines(xml: string, iface: string): string[] {
  const start = xml.indexOf(`<interface name="${iface}">`);
  if (start < 0) return [];
  const body = xml.slice(start, xml.indexOf('</interface>', start));
  const attrs = (tag: string) => Object.fromEntries([...tag.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const lines: string[] = [];
  for (const m of body.matchAll(/<property ([^>]*?)\/?>/g)) {
    const a = attrs(m[1]);
    lines.push(`property ${a.access} ${a.type} ${a.name}`);
  }
  for (const m of body.matchAll(/<(method|signal) name="(\w+)"(\/>|>([\s\S]*?)<\/\1>)/g)) {
    const args = [...(m[4] ?? '').matchAll(/<arg ([^>]*?)\/>/g)].map((x) => {
      const a = attrs(x[1]);
      return [a.direction, a.type, a.name].filter(Boolean).join(' ');
    });
    lines.push(`${m[1]} ${m[2]}(${args.join(', ')})`);
  }
  return lines.sort();
}
