/**
 * Issue 13 section 4: an edge module with an encrypted TA, packed as an OCI image, pushed with
 * skopeo to a REAL registry (Debian's docker-registry on 127.0.0.1, a free port, storage in a
 * temporary directory), deployed from an IoT Edge deployment manifest onto a running device,
 * kept to its restart policy; and a search showing that the TA's plaintext is nowhere on the way.
 * Everything runs as a user runs it: the `trustbox` command and skopeo, as separate processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeployment } from '../../emulator/cli/edge/deployment.js';
import { readImage } from '../../emulator/cli/edge/oci-layout.js';
import { startRegistry, type LocalRegistry } from '../../emulator/cli/edge/registry.js';
import { parseImageRef, plainHttpAllowed } from '../../emulator/cli/edge/skopeo.js';
import { DEFAULT_BACKOFF, restartDelay, shouldRestart } from '../../emulator/cli/edge/supervisor.js';
import type { EdgeStatus } from '../../emulator/cli/edge/status.js';
import { HELLO_WORLD } from '../helpers/device.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/trustbox.js');
const SIGNED_TA = join(ROOT, 'firmware/ta/hello_world/out', `${HELLO_WORLD}.ta`);
const HUK = '00000000000000000000000000000000';
const PLAIN_ELF = join(ROOT, 'firmware/ta/hello_world/out', `${HELLO_WORLD}.stripped.elf`);
/** A string compiled into hello_world (its gpd.ta.description, never printed): a plaintext marker. */
const MARKER = Buffer.from('Hello World TA for the TrustBox emulator');
/** The marker and three 48-byte windows of the TA's plaintext ELF (code and data). */
const plaintextNeedles = (): Buffer[] => {
  const elf = readFileSync(PLAIN_ELF);
  return [MARKER, ...[0x1000, 0x1800, 0x2400].map((o) => elf.subarray(o, o + 48))];
};

let work: string;
let state: string;
let registry: LocalRegistry;
let device: ChildProcess;
const children: ChildProcess[] = [];
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: work, timeout: 60_000 });

/** Starts a long-running command and resolves once its standard output matches `ready`. */
function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((res, rej) => {
    const timer = setInterval(() => {
      if (ready.test(out)) { clearInterval(timer); res({ child, out: () => out }); }
    }, 20);
    child.once('exit', (code) => { clearInterval(timer); rej(new Error(`trustbox ${args[0]} exited ${code}: ${out}`)); });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const status = (): EdgeStatus => JSON.parse(cli(['edge', 'list', '--state', state, '--json']).stdout) as EdgeStatus;
const moduleOf = (s: EdgeStatus, name: string) => s.modules.find((m) => m.name === name)!;

/** Every regular file under `dir` (symbolic links are not followed: the client-library link points into this repository). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** Offsets of every occurrence of `needle` in `hay`. */
function occurrences(hay: Buffer, needle: Buffer): number[] {
  const at: number[] = [];
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) at.push(i);
  return at;
}

const MODULE_CODE = `
import { TeecContext, TeecOperation, TEEC_PARAM_TYPES, TEEC_VALUE_INOUT, TEEC_NONE } from 'trustbox-emulator/client';
const ctx = await TeecContext.initialize({ url: process.env.TRUSTBOX_ENDPOINT, token: process.env.TRUSTBOX_TOKEN });
const session = await ctx.openSession('${HELLO_WORLD}');
const start = Number(process.env.START ?? 41);
const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE), [{ value: { a: start, b: 0 } }]);
await session.invokeCommand(0, op);
console.log(\`\${process.env.IOTEDGE_MODULEID}: hello_world \${start} -> \${op.params[0].value.a}\`);
if (process.env.STAY) setInterval(() => {}, 1000);
else process.exit(Number(process.env.EXIT_CODE ?? 0));
`;

function manifest(image: string): unknown {
  const mod = (restartPolicy: string, env: Record<string, string | number>, extra: Record<string, unknown> = {}) => ({
    version: '1.0', type: 'docker', status: 'running', restartPolicy,
    env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, { value: v }])),
    settings: { image, ...extra },
  });
  return {
    modulesContent: {
      $edgeAgent: {
        'properties.desired': {
          schemaVersion: '1.1',
          runtime: { type: 'docker', settings: { minDockerVersion: 'v1.25', loggingOptions: '', registryCredentials: {} } },
          modules: {
            hello: mod('never', { START: 41 }, { createOptions: JSON.stringify({ HostConfig: { Privileged: true, Devices: [{ PathOnHost: '/dev/tee0', PathInContainer: '/dev/tee0', CgroupPermissions: 'rwm' }] } }) }),
            sensor: mod('always', { START: 7, STAY: 1 }),
            crashy: mod('on-failure', { START: 1, EXIT_CODE: 1 }),
            once: mod('never', { START: 2, EXIT_CODE: 1 }),
          },
        },
      },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: {}, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
    },
  };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'trustbox-edge-'));
  state = join(work, 'device');
  registry = await startRegistry({ dir: join(work, 'registry') });
  ({ child: device } = await start(['boot', '--state', state, '--huk', HUK], /api: listening/));
  // The module: its code, and hello_world encrypted for devices whose HUK is all zeros (OP-TEE's mode).
  mkdirSync(join(work, 'module'));
  writeFileSync(join(work, 'module', 'index.mjs'), MODULE_CODE);
  writeFileSync(join(work, 'module', 'module.json'), JSON.stringify({ name: 'hello-edge', version: '1.0.0', main: 'index.mjs', tas: [`../${HELLO_WORLD}.ta`] }));
  const enc = cli(['ta', 'encrypt', '--in', SIGNED_TA, '--huk', HUK, '--out', join(work, `${HELLO_WORLD}.ta`)]);
  expect(enc.status, enc.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(children.map(exited));
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('issue 13 section 4: an edge module through a real registry', () => {
  it('packs a module into an OCI image layout: a code layer, a TA layer holding the encrypted container as is, labels naming the TA', () => {
    const r = cli(['module', 'pack', join(work, 'module'), '--out', join(work, 'image'), '--encrypted-only', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const packed = JSON.parse(r.stdout) as { tag: string; tas: { uuid: string; encrypted: boolean; kind: string }[] };
    expect(packed.tag).toBe('1.0.0');
    expect(packed.tas).toEqual([expect.objectContaining({ uuid: HELLO_WORLD, encrypted: true, kind: 'ENCRYPTED_TA' })]);
    expect(JSON.parse(readFileSync(join(work, 'image', 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const img = readImage(join(work, 'image'), '1.0.0');
    expect(img.manifest.layers.map((l) => [l.mediaType, l.annotations?.['org.trustbox.layer']])).toEqual([
      ['application/vnd.oci.image.layer.v1.tar+gzip', 'code'], ['application/vnd.oci.image.layer.v1.tar', 'ta'],
    ]);
    expect(img.manifest.annotations?.['org.trustbox.ta.uuids']).toBe(HELLO_WORLD);
    expect(img.config.config?.Labels?.['org.trustbox.ta.encrypted-uuids']).toBe(HELLO_WORLD);
    expect(img.config.config?.Entrypoint).toEqual(['node', 'index.mjs']);
    // Packing again gives the same image: digests depend on content only.
    const again = cli(['module', 'pack', join(work, 'module'), '--out', join(work, 'image2'), '--json']);
    expect(readImage(join(work, 'image2'), '1.0.0').digest).toBe(img.digest);
    // A plaintext TA is refused with --encrypted-only, naming the fix.
    const plain = cli(['module', 'pack', join(work, 'module'), '--out', join(work, 'image3'), '--ta', join(ROOT, 'firmware/ta/random/out/b6c53aba-9669-4668-a7f2-205629d00f86.ta'), '--encrypted-only']);
    expect(again.status).toBe(0);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/is not encrypted .*trustbox ta encrypt/);
  });

  it('pushes with skopeo over plain HTTP to the loopback registry, which serves the same manifest', () => {
    const r = cli(['module', 'push', join(work, 'image'), `${registry.host}/trustbox/hello-edge`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('plain HTTP, loopback');
    const inspect = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/trustbox/hello-edge:1.0.0`], { encoding: 'utf8' });
    expect(inspect.status, inspect.stderr).toBe(0);
    const info = JSON.parse(inspect.stdout) as { Digest: string; Labels: Record<string, string> };
    expect(info.Digest).toBe(readImage(join(work, 'image'), '1.0.0').digest);
    expect(info.Labels['org.trustbox.ta.uuids']).toBe(HELLO_WORLD);
  });

  it('only loopback registries are reached without TLS unless named insecure', () => {
    expect(plainHttpAllowed(registry.host)).toBe(true);
    expect(plainHttpAllowed('localhost:5000')).toBe(true);
    expect(plainHttpAllowed('[::1]:5000')).toBe(true);
    expect(plainHttpAllowed('192.0.2.10:5000')).toBe(false);
    expect(plainHttpAllowed('192.0.2.10:5000', ['192.0.2.10:5000'])).toBe(true);
    expect(() => parseImageRef('hello-edge:1.0.0')).toThrow(/names no registry/);
  });

  it('edge deploy pulls, installs the encrypted TA, runs each module with the device endpoint, and keeps it to its restart policy', async () => {
    writeFileSync(join(work, 'deployment.json'), JSON.stringify(manifest(`${registry.host}/trustbox/hello-edge:1.0.0`), null, 2));
    const agent = await start(['edge', 'deploy', 'deployment.json', '--state', state, '--restart-delay-ms', '100'], /edge: deployed 4 module/);
    // The modules' output, prefixed with their names: the TA ran, decrypted in the TEE.
    await until('module output', () => (/hello \| hello: hello_world 41 -> 42/.test(agent.out()) ? true : undefined));
    await until('sensor output', () => (/sensor \| sensor: hello_world 7 -> 8/.test(agent.out()) ? true : undefined));
    expect(agent.out()).toMatch(/edge: hello: installed TA 8aaaf200-2450-11e4-abe2-0002a5d5c51b \(encrypted\)/);
    expect(agent.out()).toMatch(/note: hello: createOptions.HostConfig is not applied/);
    const s = await until('states', () => {
      const st = status();
      return moduleOf(st, 'hello').state === 'exited' && moduleOf(st, 'once').state === 'exited' && moduleOf(st, 'crashy').restartCount >= 2 ? st : undefined;
    });
    expect(moduleOf(s, 'hello')).toMatchObject({ exitCode: 0, restartCount: 0, tas: [{ uuid: HELLO_WORLD, encrypted: true }] });
    expect(moduleOf(s, 'once')).toMatchObject({ exitCode: 1, restartCount: 0 });
    expect(moduleOf(s, 'sensor')).toMatchObject({ state: 'running', restartCount: 0 });
    expect(['running', 'restarting']).toContain(moduleOf(s, 'crashy').state);
    // Back-off doubles per restart in a row (the status file is written just before the line is printed).
    await until('back-off lines', () => (/restart in 100 ms[^]*restart in 200 ms/.test(agent.out()) ? true : undefined));
    expect(agent.out()).toMatch(/edge: crashy: exited \(code 1\); restartPolicy on-failure: restart in 100 ms/);
    const table = cli(['edge', 'list', '--state', state]).stdout;
    expect(table).toMatch(/^hello\s+exited 0\s+127\.0\.0\.1:\d+\/trustbox\/hello-edge:1\.0\.0\s+8aaaf200-2450-11e4-abe2-0002a5d5c51b \(encrypted\)/m);
    expect(table).toMatch(/^once\s+exited 1\s/m);
    expect(table).toMatch(/^sensor\s+running\s/m);
    expect(table).toMatch(/^crashy\s+(running|restarting \(exited 1\))\s/m);
    expect(readFileSync(moduleOf(s, 'hello').log, 'utf8')).toBe('hello: hello_world 41 -> 42\n');

    // A second agent on the same state directory is refused; Ctrl-C (SIGTERM) stops the modules.
    const second = cli(['edge', 'deploy', 'deployment.json', '--state', state]);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/an edge agent \(pid \d+\) already runs/);
    const sensorPid = moduleOf(status(), 'sensor').pid!;
    agent.child.kill('SIGTERM');
    expect(await exited(agent.child)).toBe(0);
    const after = status();
    expect(after.agent.state).toBe('stopped');
    expect(moduleOf(after, 'sensor').state).toBe('stopped');
    expect(() => process.kill(sensorPid, 0)).toThrow();
    expect(cli(['edge', 'list', '--state', state]).stdout).toMatch(/^edge agent not running/);
  }, 60_000);

  it('no plaintext TA code in the image layout, the registry storage or the state directory; the encrypted container travels byte for byte', () => {
    const container = readFileSync(join(work, `${HELLO_WORLD}.ta`));
    // The needles are in the plaintext TA (so the search can find them) and not in the encrypted one.
    const needles = plaintextNeedles();
    for (const n of needles) expect(readFileSync(SIGNED_TA).includes(n)).toBe(true);
    for (const n of needles) expect(container.includes(n)).toBe(false);
    const places = { image: join(work, 'image'), registry: registry.storage, state };
    const holding: Record<string, number> = {};
    for (const [place, dir] of Object.entries(places)) {
      for (const file of filesUnder(dir)) {
        const bytes = readFileSync(file);
        for (const n of needles) expect(bytes.includes(n), `${file} holds TA plaintext`).toBe(false);
        if (bytes.includes(container)) holding[place] = (holding[place] ?? 0) + 1;
      }
    }
    // The image's TA layer, the registry's copy of that blob, and in the state directory the
    // device's TA store (1), the agent's image cache (1, one layout for the four modules of one
    // image) and each module's unpacked root (4).
    expect(holding).toEqual({ image: 1, registry: 1, state: 6 });
  });

  it('a plaintext TA is carried only inside its .ta container (the TA layer), never in the code layer', () => {
    const dir = join(work, 'plain-module');
    cpSync(join(work, 'module'), dir, { recursive: true });
    writeFileSync(join(dir, 'module.json'), JSON.stringify({ name: 'plain', version: '1', main: 'index.mjs', tas: [SIGNED_TA] }));
    const r = cli(['module', 'pack', dir, '--out', join(work, 'plain-image')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/its code is plaintext in the image/);
    const container = readFileSync(SIGNED_TA);
    const img = readImage(join(work, 'plain-image'), '1');
    const blobs = filesUnder(join(work, 'plain-image', 'blobs'));
    const withMarker = blobs.filter((f) => readFileSync(f).includes(MARKER));
    expect(withMarker).toEqual([join(work, 'plain-image', 'blobs', 'sha256', img.manifest.layers[1]!.digest.slice(7))]);
    const layer = readFileSync(withMarker[0]!);
    const start = layer.indexOf(container);
    for (const at of occurrences(layer, MARKER)) expect(at >= start && at < start + container.length).toBe(true);
  });

  it('deployment manifests: mistakes are named with the field', () => {
    const base = manifest(`${registry.host}/x:1`) as { modulesContent: { $edgeAgent: { 'properties.desired': { modules: Record<string, Record<string, unknown>> } } } };
    const mods = base.modulesContent.$edgeAgent['properties.desired'].modules;
    mods.hello!.restartPolicy = 'sometimes';
    expect(() => parseDeployment(base)).toThrow(/modules\.hello\.restartPolicy: must be one of never, on-failure, on-unhealthy, always/);
    mods.hello!.restartPolicy = 'never';
    mods.hello!.settings = { image: '${MODULES.hello}' };
    expect(() => parseDeployment(base)).toThrow(/template placeholder/);
    mods.hello!.settings = { image: 'x/y:1', createOptions: '{"Env":["A=1"],', createOptions01: '"Cmd":["--fast"]}' };
    const d = parseDeployment(base);
    expect(d.modules.find((m) => m.name === 'hello')).toMatchObject({ env: { START: '41', A: '1' }, cmd: ['--fast'] });
    mods.hello!.colour = 'blue';
    expect(() => parseDeployment(base)).toThrow(/unknown key "colour"/);
    expect(() => parseDeployment({})).toThrow(/no "modulesContent"/);
  });
});

describe('issue 13 section 4: restart policies and agent mistakes', () => {
  it('restart policies decide as IoT Edge\'s do, and the back-off doubles up to its cap', () => {
    const table = (['never', 'on-failure', 'on-unhealthy', 'always'] as const).map((p) => [p, shouldRestart(p, 0), shouldRestart(p, 1), shouldRestart(p, null)]);
    expect(table).toEqual([
      ['never', false, false, false], ['on-failure', false, true, true], ['on-unhealthy', false, true, true], ['always', true, true, true],
    ]);
    expect([1, 2, 3, 10].map((n) => restartDelay(n, DEFAULT_BACKOFF))).toEqual([1000, 2000, 4000, 60_000]);
  });

  it('edge deploy without a running device, or with a bad manifest, ends with one line naming the fix', () => {
    const empty = mkdtempSync(join(tmpdir(), 'trustbox-edge-nodev-'));
    try {
      writeFileSync(join(empty, 'd.json'), JSON.stringify(manifest('127.0.0.1:1/x:1')));
      const r = spawnSync(process.execPath, [BIN, 'edge', 'deploy', join(empty, 'd.json'), '--state', join(empty, 'none')], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/endpoint\.json not found: is a device running/);
      writeFileSync(join(empty, 'bad.json'), JSON.stringify({ modulesContent: {} }));
      const bad = spawnSync(process.execPath, [BIN, 'edge', 'deploy', join(empty, 'bad.json'), '--state', join(empty, 'none')], { encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/no modulesContent\.\$edgeAgent\["properties\.desired"\]/);
      const list = spawnSync(process.execPath, [BIN, 'edge', 'list', '--state', empty], { encoding: 'utf8' });
      expect(list.status).toBe(1);
      expect(list.stderr).toMatch(/no edge deployment in .*trustbox edge deploy/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('issue 13 section 4: examples/confidential-module/deploy.sh', () => {
  it('builds, encrypts for one device, packs, pushes, deploys and runs the module: verified attestation, sealed readings, exit 0', () => {
    const r = spawnSync('bash', [join(ROOT, 'examples/confidential-module/deploy.sh')], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, REGISTRY: '', STATE: '' } });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/installed TA f4e750bb-1437-4fbf-8785-8d3580c34994 \(encrypted\)/);
    expect(r.stdout).toMatch(/^verifier: verified: attest verify: genuine and fresh/m);
    expect(r.stdout).toMatch(/confidential-sensor \| \{"attestation":"verified","sealed":3\}/);
    expect(r.stdout).toMatch(/deploy: OK/);
  }, 120_000);
});
