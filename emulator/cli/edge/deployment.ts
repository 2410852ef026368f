/**
 * Azure IoT Edge deployment manifests (reference confidential.md §6; SchemaStore
 * `azure-iot-edge-deployment-2.0.json`), as VS Code's IoT Edge tools generate them:
 *
 *   modulesContent.$edgeAgent["properties.desired"].modules.<name> =
 *     { version?, type: "docker", status: "running"|"stopped",
 *       restartPolicy: "never"|"on-failure"|"on-unhealthy"|"always",
 *       imagePullPolicy?: "on-create"|"never", startupOrder?, env?: {VAR: {value}},
 *       settings: { image, createOptions?, createOptions01..07? } }
 *
 * What this edge agent does not do (system modules, routes, HostConfig) is reported as notes,
 * not silently dropped; values the schema forbids are errors naming the field.
 */
import { readFileSync } from 'node:fs';

export type RestartPolicy = 'never' | 'on-failure' | 'on-unhealthy' | 'always';
export const RESTART_POLICIES: readonly RestartPolicy[] = ['never', 'on-failure', 'on-unhealthy', 'always'];

/** One module of the manifest, validated. */
export interface EdgeModuleSpec {
  name: string;
  image: string;
  status: 'running' | 'stopped';
  restartPolicy: RestartPolicy;
  imagePullPolicy: 'on-create' | 'never';
  startupOrder: number;
  version?: string;
  /** The manifest's env, values as strings, then createOptions.Env. */
  env: Record<string, string>;
  /** createOptions.Cmd: arguments after the image's entry point. */
  cmd?: string[];
}

export interface RegistryCredentialSpec {
  address: string;
  username: string;
  password: string;
}

export interface Deployment {
  modules: EdgeModuleSpec[];
  registryCredentials: RegistryCredentialSpec[];
  /** What the manifest asks for that this agent does not do, one sentence each. */
  notes: string[];
}

const MODULE_KEYS = new Set(['version', 'type', 'status', 'restartPolicy', 'imagePullPolicy', 'startupOrder', 'env', 'settings']);
const NAME_RE = /^[a-zA-Z0-9_-]+$/;
const CREATE_OPTIONS_RE = /^(createoptions|createOptions)([0-9]*)$/;
/** createOptions keys the agent acts on; HostConfig is acknowledged (see notes), the rest ignored with a note. */
const CREATE_OPTIONS_USED = new Set(['Env', 'Cmd']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function need<T>(ok: boolean, where: string, what: string, value: unknown): T {
  if (!ok) throw new Error(`${where}: ${what}, not ${JSON.stringify(value)}`);
  return value as T;
}

/** Reads and validates a deployment manifest file. */
export function readDeployment(path: string): Deployment {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new Error(`${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  return parseDeployment(raw, path);
}

/** Validates a parsed manifest; `label` names it in messages. */
export function parseDeployment(raw: unknown, label = 'deployment'): Deployment {
  const content = isObject(raw) ? raw.modulesContent : undefined;
  if (!isObject(content)) throw new Error(`${label}: no "modulesContent" object (is this an IoT Edge deployment manifest, deployment.json?)`);
  const agent = isObject(content.$edgeAgent) ? content.$edgeAgent['properties.desired'] : undefined;
  if (!isObject(agent)) throw new Error(`${label}: no modulesContent.$edgeAgent["properties.desired"]`);
  const where = `${label}: $edgeAgent`;
  if (agent.schemaVersion !== undefined && !['1.0', '1.1'].includes(agent.schemaVersion as string)) {
    throw new Error(`${where}: schemaVersion must be "1.0" or "1.1", not ${JSON.stringify(agent.schemaVersion)}`);
  }
  const notes: string[] = [];
  if (isObject(agent.systemModules)) notes.push('systemModules (edgeAgent, edgeHub) are not started: this command is the edge agent, and messages between modules are not routed');
  if (isObject(content.$edgeHub)) notes.push('$edgeHub routes are not emulated: modules print their messages instead of sending them');
  const modulesRaw = agent.modules ?? {};
  if (!isObject(modulesRaw)) throw new Error(`${where}: "modules" must be an object of modules by name`);
  const modules = Object.entries(modulesRaw).map(([name, m]) => parseModule(name, m, `${where}.modules.${name}`, notes));
  modules.sort((a, b) => a.startupOrder - b.startupOrder || a.name.localeCompare(b.name));
  return { modules, registryCredentials: parseCredentials(agent.runtime, `${where}.runtime`), notes };
}

function parseCredentials(runtime: unknown, where: string): RegistryCredentialSpec[] {
  if (runtime === undefined) return [];
  if (!isObject(runtime)) throw new Error(`${where}: must be an object`);
  if (runtime.type !== undefined && runtime.type !== 'docker') throw new Error(`${where}: type must be "docker", not ${JSON.stringify(runtime.type)}`);
  const creds = isObject(runtime.settings) ? runtime.settings.registryCredentials : undefined;
  if (creds === undefined) return [];
  if (!isObject(creds)) throw new Error(`${where}.settings.registryCredentials: must be an object of {username, password, address}`);
  return Object.entries(creds).map(([name, c]) => {
    const w = `${where}.settings.registryCredentials.${name}`;
    if (!isObject(c) || typeof c.address !== 'string' || typeof c.username !== 'string' || typeof c.password !== 'string') {
      throw new Error(`${w}: needs string address, username and password`);
    }
    if (c.address.includes('$')) throw new Error(`${w}: "${c.address}" is a template placeholder: generate deployment.json from the template first`);
    return { address: c.address, username: c.username, password: c.password };
  });
}

function parseModule(name: string, m: unknown, where: string, notes: string[]): EdgeModuleSpec {
  need(NAME_RE.test(name), where, 'a module name is letters, digits, _ and -', name);
  if (!isObject(m)) throw new Error(`${where}: must be an object`);
  for (const k of Object.keys(m)) if (!MODULE_KEYS.has(k)) throw new Error(`${where}: unknown key "${k}" (known: ${[...MODULE_KEYS].join(', ')})`);
  need(m.type === 'docker', `${where}.type`, 'must be "docker"', m.type);
  const status = need<'running' | 'stopped'>(m.status === 'running' || m.status === 'stopped', `${where}.status`, 'must be "running" or "stopped"', m.status);
  const restartPolicy = need<RestartPolicy>(RESTART_POLICIES.includes(m.restartPolicy as RestartPolicy), `${where}.restartPolicy`,
    `must be one of ${RESTART_POLICIES.join(', ')}`, m.restartPolicy);
  const imagePullPolicy = need<'on-create' | 'never'>(m.imagePullPolicy === undefined || m.imagePullPolicy === 'on-create' || m.imagePullPolicy === 'never',
    `${where}.imagePullPolicy`, 'must be "on-create" or "never"', m.imagePullPolicy) ?? 'on-create';
  const startupOrder = need<number>(m.startupOrder === undefined || (Number.isInteger(m.startupOrder) && (m.startupOrder as number) >= 0 && (m.startupOrder as number) <= 0xffffffff),
    `${where}.startupOrder`, 'must be a whole number 0..4294967295', m.startupOrder) ?? 0xffffffff;
  if (m.version !== undefined && typeof m.version !== 'string') throw new Error(`${where}.version: must be a string, not ${JSON.stringify(m.version)}`);
  if (!isObject(m.settings)) throw new Error(`${where}.settings: required, with "image"`);
  const image = need<string>(typeof m.settings.image === 'string' && m.settings.image.length > 0, `${where}.settings.image`, 'required: the image reference', m.settings.image);
  if (image.includes('${')) throw new Error(`${where}.settings.image: "${image}" is a template placeholder: generate deployment.json from deployment.template.json first`);
  const env = parseEnv(m.env, `${where}.env`);
  const create = parseCreateOptions(m.settings, `${where}.settings`);
  for (const kv of create.Env ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] ??= kv.slice(eq + 1);
  }
  const ignored = Object.keys(create.rest).filter((k) => k !== 'HostConfig');
  if (isObject(create.rest.HostConfig)) {
    notes.push(`${name}: createOptions.HostConfig is not applied (no containers here; the device endpoint stands in for /dev/tee0 and /lib/optee_armtz)`);
  }
  if (ignored.length) notes.push(`${name}: createOptions ${ignored.join(', ')} ignored (only Env and Cmd are applied)`);
  return {
    name, image, status, restartPolicy, imagePullPolicy, startupOrder, env,
    ...(m.version !== undefined ? { version: m.version as string } : {}), ...(create.Cmd ? { cmd: create.Cmd } : {}),
  };
}

function parseEnv(env: unknown, where: string): Record<string, string> {
  if (env === undefined) return {};
  if (!isObject(env)) throw new Error(`${where}: must be an object of {"VAR": {"value": ...}}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const value = isObject(v) ? v.value : undefined;
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw new Error(`${where}.${k}: must be {"value": string|number|boolean}`);
    out[k] = String(value);
  }
  return out;
}

/**
 * createOptions is a string of Docker create JSON, split into createOptions, createOptions01 ...
 * when long (joined here in order); a template's object form is accepted too.
 */
function parseCreateOptions(settings: Json, where: string): { Env?: string[]; Cmd?: string[]; rest: Json } {
  const parts: [number, unknown][] = [];
  for (const [k, v] of Object.entries(settings)) {
    if (k === 'image') continue;
    const m = CREATE_OPTIONS_RE.exec(k);
    if (!m) throw new Error(`${where}: unknown key "${k}" (known: image, createOptions, createOptions01 ...)`);
    parts.push([m[2] ? Number(m[2]) : 0, v]);
  }
  if (!parts.length) return { rest: {} };
  parts.sort((a, b) => a[0] - b[0]);
  let options: unknown;
  if (parts.length === 1 && isObject(parts[0]![1])) options = parts[0]![1];
  else {
    if (!parts.every(([, v]) => typeof v === 'string')) throw new Error(`${where}.createOptions: must be a string of JSON (or split into createOptionsNN strings)`);
    try {
      options = JSON.parse(parts.map(([, v]) => v as string).join(''));
    } catch (error) {
      throw new Error(`${where}.createOptions: not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isObject(options)) throw new Error(`${where}.createOptions: must be a JSON object`);
  const strings = (v: unknown, key: string): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new Error(`${where}.createOptions.${key}: must be a list of strings`);
    return v as string[];
  };
  const rest: Json = {};
  for (const [k, v] of Object.entries(options)) if (!CREATE_OPTIONS_USED.has(k)) rest[k] = v;
  const Env = strings(options.Env, 'Env');
  const Cmd = strings(options.Cmd, 'Cmd');
  return { ...(Env ? { Env } : {}), ...(Cmd ? { Cmd } : {}), rest };
}
