/**
 * The edge agent of `trustbox edge deploy`: IoT Edge's edgeAgent for one emulated device.
 *
 * For each module of the deployment, in startupOrder: pull its image with skopeo into
 * `<state>/edge/images/`, unpack it into `<state>/edge/modules/<name>/rootfs/`, install its TA
 * containers on the running device of `<state>` through installTA (the admin credential of
 * `<state>/admin.json`: as on a real device, the TA crosses the normal world as it is, and only
 * the secure world verifies and, for an encrypted TA, decrypts it), then start it as a Node
 * process and keep it to its restart policy. One agent per state directory
 * (`<state>/edge/agent.pid`); `<state>/edge/status.json` says what runs.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readAdmin, readEndpoint } from '../../api/auth.js';
import { TeeConnection, TeecError } from '../../client/index.js';
import { adminHint } from '../remote-backend.js';
import { readDeployment, type Deployment, type EdgeModuleSpec } from './deployment.js';
import { entryPoint, fetchImage, moduleTas, provideClientLibrary, unpackImage } from './module-image.js';
import { parseImageRef, type TransferOptions } from './skopeo.js';
import { edgeDir, processAlive, writeStatus, type EdgeStatus, type ModuleStatus } from './status.js';
import { DEFAULT_BACKOFF, ModuleRunner, type BackoffOptions } from './supervisor.js';

export interface AgentOptions {
  state: string;
  deployment: string;
  /** Registries (`host[:port]`) reached without TLS besides loopback ones. */
  insecureRegistries?: string[];
  backoff?: Partial<BackoffOptions>;
  /** Where the agent's own lines and the modules' prefixed output go. */
  print?: (line: string) => void;
}

/** Host environment a module inherits: enough to run Node, nothing of the agent's secrets. */
const PASSED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

export class EdgeAgent {
  private readonly runners = new Map<string, ModuleRunner>();
  private readonly status: EdgeStatus;
  private readonly dir: string;
  private stopped = false;

  private constructor(
    private readonly state: string,
    private readonly deployment: Deployment,
    private readonly opts: AgentOptions,
    private readonly endpoint: { url: string; token: string },
  ) {
    this.dir = edgeDir(state);
    const now = new Date().toISOString();
    this.status = {
      agent: { pid: process.pid, state: 'starting', deployment: resolve(opts.deployment), startedAt: now, updatedAt: now, notes: deployment.notes },
      modules: deployment.modules.map((m) => ({
        name: m.name, image: m.image, restartPolicy: m.restartPolicy, desired: m.status, state: 'pending', tas: [], restartCount: 0,
        log: join(this.dir, 'logs', `${m.name}.log`),
      })),
    };
  }

  /** Reads the deployment, takes the state directory's agent lock, deploys and starts every module. */
  static async start(opts: AgentOptions): Promise<EdgeAgent> {
    const state = resolve(opts.state);
    const deployment = readDeployment(opts.deployment);
    const { url, token } = readEndpoint(state);
    const agent = new EdgeAgent(state, deployment, opts, { url, token });
    agent.lock();
    try {
      for (const note of deployment.notes) agent.print(`note: ${note}`);
      await agent.deployAll();
    } catch (error) {
      await agent.stop();
      throw error;
    }
    return agent;
  }

  private print(line: string): void {
    (this.opts.print ?? console.log)(line);
  }

  private lock(): void {
    mkdirSync(join(this.dir, 'logs'), { recursive: true, mode: 0o700 });
    const pidFile = join(this.dir, 'agent.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid && pid !== process.pid && processAlive(pid)) {
        throw new Error(`an edge agent (pid ${pid}) already runs for ${this.state}: stop it (Ctrl-C, or kill ${pid}) before deploying again`);
      }
    }
    writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
    this.save();
  }

  private save(): void {
    this.status.agent.updatedAt = new Date().toISOString();
    writeStatus(this.state, this.status);
  }

  private update(name: string, change: Partial<ModuleStatus>): ModuleStatus {
    const m = this.status.modules.find((x) => x.name === name)!;
    Object.assign(m, change);
    this.save();
    return m;
  }

  /** Connects with the admin credential (installTA needs it) for the time of the TA installs. */
  private async connect(): Promise<TeeConnection> {
    const admin = readAdmin(this.state);
    if (!admin) throw new Error(adminHint('installing a module\'s TAs'));
    try {
      return await TeeConnection.connect({ ...this.endpoint, admin, client: 'trustbox-edge-agent' });
    } catch (error) {
      throw new Error(`cannot reach the device of ${this.state} at ${this.endpoint.url}: ${(error as Error).message} (is \`trustbox boot --state ${this.state}\` running?)`);
    }
  }

  private transfer(image: string): TransferOptions {
    const registry = parseImageRef(image).registry;
    const cred = this.deployment.registryCredentials.find((c) => c.address === registry);
    return { insecure: this.opts.insecureRegistries ?? [], ...(cred ? { credential: { username: cred.username, password: cred.password } } : {}) };
  }

  private async deployAll(): Promise<void> {
    const conn = await this.connect();
    try {
      for (const spec of this.deployment.modules) {
        if (this.stopped) return;
        try {
          await this.deployModule(spec, conn);
        } catch (error) {
          // As IoT Edge's agent does, one module's failure leaves the others running.
          const message = (error as Error).message;
          this.update(spec.name, { state: 'failed', error: message });
          this.print(`edge: ${spec.name}: ${message}`);
        }
      }
    } finally {
      conn.close();
    }
    this.status.agent.state = 'running';
    this.save();
  }

  private async deployModule(spec: EdgeModuleSpec, conn: TeeConnection): Promise<void> {
    const images = join(this.dir, 'images');
    this.update(spec.name, { state: 'pulling' });
    this.print(`edge: ${spec.name}: ${spec.imagePullPolicy === 'never' ? 'using cached' : 'pulling'} ${spec.image}`);
    const img = fetchImage(images, spec.image, spec.imagePullPolicy !== 'never', this.transfer(spec.image));
    const rootfs = join(this.dir, 'modules', spec.name, 'rootfs');
    unpackImage(images, spec.image, img, rootfs);
    const tas = moduleTas(img, rootfs);
    const entry = entryPoint(img, rootfs, spec.cmd);
    this.update(spec.name, { digest: img.digest, state: 'installing', tas: tas.map((t) => ({ uuid: t.uuid, encrypted: t.encrypted })) });
    const installed = [];
    for (const ta of tas) {
      let result: { uuid: string; path: string };
      try {
        result = await conn.installTA(ta.bytes);
      } catch (error) {
        const why = error instanceof TeecError && error.code === 'admin-required' ? adminHint('installing a TA') : (error as Error).message;
        throw new Error(`installing TA ${ta.uuid}: ${why}`);
      }
      if (result.uuid !== ta.uuid) throw new Error(`the image's ${ta.uuid}.ta is TA ${result.uuid} (file name and TA disagree)`);
      installed.push({ uuid: ta.uuid, encrypted: ta.encrypted, installedAs: result.path });
      this.print(`edge: ${spec.name}: installed TA ${ta.uuid}${ta.encrypted ? ' (encrypted)' : ''}`);
    }
    this.update(spec.name, { tas: installed });
    provideClientLibrary(rootfs);
    if (spec.status === 'stopped') {
      this.update(spec.name, { state: 'stopped' });
      return;
    }
    this.run(spec, entry.args, entry.cwd);
  }

  /** The module's environment: PATH & co., the manifest's env, then the device endpoint and IoT Edge ids. */
  private moduleEnv(spec: EdgeModuleSpec): Record<string, string> {
    const env: Record<string, string> = {};
    for (const k of PASSED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k]!;
    Object.assign(env, spec.env, {
      TRUSTBOX_STATE: this.state,
      TRUSTBOX_ENDPOINT: this.endpoint.url,
      TRUSTBOX_TOKEN: this.endpoint.token,
      IOTEDGE_MODULEID: spec.name,
      IOTEDGE_DEVICEID: this.state.split('/').pop() ?? 'trustbox',
    });
    return env;
  }

  private run(spec: EdgeModuleSpec, args: string[], cwd: string): void {
    const name = spec.name;
    const logFile = join(this.dir, 'logs', `${name}.log`);
    rmSync(logFile, { force: true });
    const runner = new ModuleRunner({ command: process.execPath, args, cwd, env: this.moduleEnv(spec), logFile }, spec.restartPolicy,
      { ...DEFAULT_BACKOFF, ...this.opts.backoff }, {
        started: (pid) => {
          this.update(name, { state: 'running', pid, startedAt: new Date().toISOString(), restartAt: undefined });
          this.print(`edge: ${name}: started (pid ${pid})`);
        },
        exited: (code, signal, restartInMs) => {
          const m = this.status.modules.find((x) => x.name === name)!;
          const how = code === null ? `signal ${signal}` : `code ${code}`;
          if (restartInMs === undefined) {
            this.update(name, { state: this.stopped ? 'stopped' : 'exited', exitCode: code, signal: signal ?? undefined, pid: undefined, exitedAt: new Date().toISOString() });
            if (!this.stopped) this.print(`edge: ${name}: exited (${how}); restartPolicy ${spec.restartPolicy}: not restarted`);
            return;
          }
          this.update(name, {
            state: 'restarting', exitCode: code, signal: signal ?? undefined, pid: undefined, exitedAt: new Date().toISOString(),
            restartCount: m.restartCount + 1, restartAt: new Date(Date.now() + restartInMs).toISOString(),
          });
          this.print(`edge: ${name}: exited (${how}); restartPolicy ${spec.restartPolicy}: restart in ${restartInMs} ms`);
        },
        line: (_stream, text) => this.print(`${name} | ${text}`),
      });
    this.runners.set(name, runner);
    runner.start();
  }

  /** The status as last written. */
  get current(): EdgeStatus {
    return this.status;
  }

  /** Stops every module, marks them stopped, releases the lock. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    for (const m of this.status.modules) {
      if (m.state !== 'failed' && m.state !== 'exited') Object.assign(m, { state: 'stopped', pid: undefined, restartAt: undefined });
    }
    this.status.agent.state = 'stopped';
    this.save();
    const pidFile = join(this.dir, 'agent.pid');
    if (existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').trim()) === process.pid) rmSync(pidFile, { force: true });
  }
}
