// Builds the frozen configuration from flags, environment and the JSON file
// (in that order of precedence), checks it against the one schema, and
// reports every problem at once, each naming the option as the user wrote it.
import Ajv, { type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ACTIONS, type Action } from './actions';
import { readCaFile } from './ca-file';
import { applyPatch, DEFAULT_ATTRIBUTES, type Attributes, ATTRIBUTE_NAMES } from '../player/attributes';
import { isPlayerError } from '../player/errors';
import { ATTRIBUTE_ENV, ATTRIBUTE_FLAGS, ConfigSchema, OPTION_SPECS, type OptionSpec, type OptionsConfig } from './schema';
import { OPTION_HELP, usage } from './help';
import { defaultLayout, parsePoint, placementProblem, PIP_SIZE, WINDOW_SIZE } from '../player/view';
import { FLEET_CHANNELS_ENV, parseFleetChannels, type FleetChannel } from './fleet-channels';

export interface Config extends OptionsConfig {
  /** Initial attributes (defaults < file < environment). */
  attributes: Attributes;
  /** Names of the attributes that were given explicitly (they win over persisted ones). */
  attributesGiven: (keyof Attributes)[];
  /** The certificates of --ca-file (PEM), read and checked at start; empty without it. */
  caCerts: string[];
  /** Channels set fleet-wide (LIVEPLAYER_CHANNELS), merged with the teacher's on the device. */
  fleetChannels: FleetChannel[];
  /**
   * Problems with values that must not stop the TV (a bad LIVEPLAYER_CHANNELS,
   * an unusable balena device name): logged once at start and meant for the idle screen.
   */
  configWarnings: string[];
}

export type { Action };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ConfigError';
  }
}

type Source = 'flag' | 'env' | 'file';
type Raw = Partial<Record<keyof OptionsConfig, unknown>>;

const LAYOUT = defaultLayout();

/** The value of every option when nothing sets it, on this machine; --help shows them. */
export function defaults(env: NodeJS.ProcessEnv = process.env): OptionsConfig {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const xdg = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  const underBalena = Boolean(env.BALENA || env.BALENA_SUPERVISOR_ADDRESS || env.RESIN);
  return {
    http: '0.0.0.0:8080',
    dbus: 'system',
    videoSink: 'auto',
    audioSink: 'auto',
    decoder: 'auto',
    stateDir: isRoot ? '/var/lib/liveplayerd' : path.join(xdg, 'liveplayerd'),
    name: os.hostname(),
    reconnectAttempts: 3,
    reconnectInterval: 3,
    stallTimeout: 5,
    updateLock: underBalena ? 'on' : 'off',
    demo: false,
    allowedHosts: [],
    logLevel: 'info',
    logFormat: 'auto',
    audioDeviceSpeaker: '',
    audioDeviceEar: '',
    windowPosition: `${LAYOUT.window.x},${LAYOUT.window.y}`,
    pipPosition: `${LAYOUT.pip.x},${LAYOUT.pip.y}`,
    startView: 'fullscreen',
    language: localeLanguage(env),
    rejoin: 'on',
    displaySize: 'auto',
    spareWorker: 'auto',
  };
}

/** The system locale's language when it is one the TV speaks; Chinese when in doubt (the classrooms this is for). */
export function localeLanguage(env: NodeJS.ProcessEnv): 'zh' | 'en' {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^en([_.@-]|$)/i.test(locale) ? 'en' : 'zh';
}


function convert(spec: OptionSpec, value: string, where: string, problems: string[]): unknown {
  switch (spec.kind) {
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) problems.push(`${where} expects a number, got "${value}"`);
      return n;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off|)$/i.test(value)) return false;
      problems.push(`${where} expects 1/0, true/false, yes/no or on/off, got "${value}"`);
      return value;
    case 'list':
      return value.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return value;
  }
}

function parseArgv(argv: string[], problems: string[]): { raw: Raw; action: Action; origin: Map<string, string>; attrs: Record<string, unknown> } {
  const raw: Raw = {};
  const attrs: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  let action: Action = 'run';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (ACTIONS[arg]) {
      action = ACTIONS[arg]!;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const attr = ATTRIBUTE_FLAGS[flag];
    if (attr) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) problems.push(`${flag} needs a value`);
      else attrs[attr.key] = convert({ key: 'http', flag, env: flag, kind: attr.kind }, value, flag, problems);
      continue;
    }
    const spec = OPTION_SPECS.find((s) => s.flag === flag);
    if (!spec) {
      problems.push(`unknown option ${flag} (see --help)`);
      continue;
    }
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (value === undefined && spec.kind === 'boolean') value = 'true';
    if (value === undefined) {
      value = argv[i + 1];
      i++;
      if (value === undefined) {
        problems.push(`${flag} needs a value`);
        continue;
      }
    }
    raw[spec.key] = convert(spec, value, flag, problems);
    origin.set(spec.key, flag);
  }
  return { raw, action, origin, attrs };
}

function fromEnv(env: NodeJS.ProcessEnv, problems: string[], origin: Map<string, string>): Raw {
  const raw: Raw = {};
  for (const spec of OPTION_SPECS) {
    const v = env[spec.env];
    if (v === undefined) continue;
    raw[spec.key] = convert(spec, v, spec.env, problems);
    if (!origin.has(spec.key)) origin.set(spec.key, spec.env);
  }
  return raw;
}

function readFile(file: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`--config: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return {};
  }
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    problems.push(`--config: ${file} must hold a JSON object`);
  } catch (err) {
    problems.push(`--config: ${file} is not valid JSON (${(err as Error).message})`);
  }
  return {};
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(ConfigSchema);

function explain(e: ErrorObject, origin: Map<string, string>, value: unknown): string {
  const key = e.instancePath.split('/')[1] ?? (e.params as { additionalProperty?: string }).additionalProperty ?? '';
  const spec = OPTION_SPECS.find((s) => s.key === key);
  const name = origin.get(key) ?? spec?.flag ?? key;
  if (e.keyword === 'additionalProperties') return `config file: unknown option "${key}"`;
  const got = `got ${JSON.stringify(value)}`;
  const allowed = (ConfigSchema.properties as Record<string, { anyOf?: { const: string }[] }>)[key]?.anyOf;
  if (allowed) return `${name} must be one of ${allowed.map((a) => a.const).join(', ')}, ${got}`;
  const expects = OPTION_HELP[key as keyof OptionsConfig]?.expects;
  if (expects) return `${name} expects ${expects}, ${got}`;
  return `${name} ${e.message}, ${got}`;
}

/** Reads the whole configuration; throws ConfigError listing every problem. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): { config: Readonly<Config>; action: Action } {
  const problems: string[] = [];
  const { raw: flags, action, origin, attrs: attrFlags } = parseArgv(argv, problems);
  const envRaw = fromEnv(env, problems, origin);
  const file = (flags.config ?? envRaw.config) as string | undefined;
  const fileAll = file ? readFile(file, problems) : {};

  const fileOptions: Raw = {};
  const fileAttrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fileAll)) {
    if ((ATTRIBUTE_NAMES as string[]).includes(k)) fileAttrs[k] = v;
    else if (k === 'attributes' && v && typeof v === 'object') Object.assign(fileAttrs, v);
    else {
      (fileOptions as Record<string, unknown>)[k] = v;
      if (!origin.has(k)) origin.set(k, `config file "${k}"`);
    }
  }

  const merged = { ...defaults(env), ...fileOptions, ...envRaw, ...flags };
  // One line per option: ajv reports a union once per branch, and a value that
  // already failed conversion needs no second complaint.
  const named = new Set(problems.map((p) => p.split(' ')[0]));
  if (!validate(merged)) {
    for (const e of validate.errors ?? []) {
      const line = explain(e, origin, (merged as Record<string, unknown>)[e.instancePath.split('/')[1] ?? '']);
      const who = line.startsWith('config file: ') ? line : line.split(' ')[0]!;
      if (named.has(who)) continue;
      named.add(who);
      problems.push(line);
    }
  }

  // The schema checks the form; only here is it known whether the box stays on the screen.
  for (const [key, box] of [['windowPosition', WINDOW_SIZE], ['pipPosition', PIP_SIZE]] as const) {
    const at = typeof merged[key] === 'string' ? parsePoint(merged[key] as string) : null;
    const name = origin.get(key) ?? OPTION_SPECS.find((s) => s.key === key)!.flag;
    const problem = at && placementProblem(`${name} ${merged[key] as string}`, at, box);
    if (problem && !named.has(name)) problems.push(problem);
  }

  let caCerts: string[] = [];
  if (typeof merged.caFile === 'string' && merged.caFile !== '' && !named.has(origin.get('caFile') ?? '--ca-file')) {
    const ca = readCaFile(merged.caFile, origin.get('caFile') ?? '--ca-file');
    if (ca.ok) caCerts = ca.certs;
    else problems.push(ca.problem);
  }

  const attrPatch: Record<string, unknown> = { ...fileAttrs };
  for (const [name, { key, kind }] of Object.entries(ATTRIBUTE_ENV)) {
    const v = env[name];
    if (v === undefined) continue;
    attrPatch[key] = convert({ key: 'http', flag: name, env: name, kind }, v, name, problems);
  }
  Object.assign(attrPatch, attrFlags);
  let attributes: Attributes = { ...DEFAULT_ATTRIBUTES };
  try {
    attributes = applyPatch(DEFAULT_ATTRIBUTES, attrPatch, 'config');
  } catch (err) {
    if (isPlayerError(err)) problems.push(`initial attributes: ${err.detail}`);
    else throw err;
  }

  if (problems.length > 0) throw new ConfigError(problems);
  const configWarnings: string[] = [];
  // Under balena the TV is named as the device is on the dashboard; LIVEPLAYER_NAME (or --name) still wins.
  const balenaName = env.BALENA_DEVICE_NAME_AT_INIT?.trim();
  if (balenaName !== undefined && !origin.has('name')) {
    if (balenaName !== '' && balenaName.length <= 63 && !/[\u0000-\u001f\u007f]/.test(balenaName)) merged.name = balenaName;
    else configWarnings.push(`BALENA_DEVICE_NAME_AT_INIT cannot be shown (1 to 63 visible characters); using the name "${String(merged.name)}"`);
  }
  const fleet = env[FLEET_CHANNELS_ENV] === undefined ? { channels: [], warnings: [] } : parseFleetChannels(env[FLEET_CHANNELS_ENV]!);
  configWarnings.push(...fleet.warnings);
  const config: Config = {
    ...(merged as OptionsConfig),
    attributes,
    attributesGiven: Object.keys(attrPatch) as (keyof Attributes)[],
    caCerts,
    fleetChannels: fleet.channels,
    configWarnings,
  };
  return { config: Object.freeze(config), action };
}

/** The --help text, with this machine's defaults. */
export const USAGE = (): string => usage(defaults());
