/**
 * Boot and TA benchmarks (issues "boot" and "TAs"): boot.inprocess.ms, boot.cli.ms,
 * boot.cli.ratio_to_node, ta.load.ms, ta.load.encrypted.ms, invoke.inprocess.us, syscall.ns,
 * ta.sha256.ratio_to_native.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device, type DeviceOptions } from '../../emulator/device/device.js';
import { createPublicKey } from '../../emulator/host/crypto.js';
import { hukSubkeys } from '../../emulator/tee/huk.js';
import { developmentSigningKey } from '../../emulator/tee/loader/signing-keys.js';
import { encryptTa, opteeTaEncKey } from '../../emulator/tee/ta-sources/encrypted.js';
import { projectRoot } from '../../emulator/device/image.js';
import { specsToMsg, type ParamSpec } from '../../emulator/cli/params.js';
import type { BenchMetric } from './types.js';

const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const BENCH_TA = '5e1d8a4c-2b9f-4e07-b36a-9012cc7d45e8';

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function withDevice<T>(fn: (d: Device) => T, options: DeviceOptions = {}): T {
  const state = mkdtempSync(join(tmpdir(), 'trustbox-bench-'));
  const device = new Device({ stateDir: state, watchdogMs: 60_000, ...options });
  try {
    device.boot();
    return fn(device);
  } finally {
    device.powerOff();
    rmSync(state, { recursive: true, force: true });
  }
}

function wallMs(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'ignore', env: { ...process.env, TRUSTBOX_STATE_HOME: benchHome } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  return performance.now() - t0;
}

const benchHome = mkdtempSync(join(tmpdir(), 'trustbox-bench-home-'));
process.on('exit', () => rmSync(benchHome, { recursive: true, force: true }));

let cliMs: number | undefined;
let nodeMs: number | undefined;
function cliTimes(): { cli: number; node: number } {
  if (cliMs === undefined || nodeMs === undefined) {
    const bin = join(projectRoot(), 'bin', 'trustbox.js');
    wallMs(process.execPath, [bin, 'boot', '--exit-on-ready']); // warm the page cache
    const cli: number[] = [];
    const node: number[] = [];
    for (let i = 0; i < 9; i++) {
      cli.push(wallMs(process.execPath, [bin, 'boot', '--exit-on-ready']));
      node.push(wallMs(process.execPath, ['-e', '0']));
    }
    cliMs = median(cli);
    nodeMs = median(node);
  }
  return { cli: cliMs, node: nodeMs };
}

/**
 * Times `n` invokes of the device's TeeClient. The specs become the normal world's form once,
 * outside the loop: in a served device they arrive in that form, so the loop times the device.
 */
function invokeTimes(device: Device, session: number, cmd: number, specs: ParamSpec[], n: number): number[] {
  const { params, data } = specsToMsg(specs);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = device.client.invoke(session, cmd, params, data);
    out.push(performance.now() - t0);
    if (r.result !== 0) throw new Error(`bench invoke failed with 0x${r.result.toString(16)}`);
  }
  return out;
}

/** Nanoseconds of the native SHA-256 twin for the same workload. */
function nativeSha256Ns(bytes: number, rounds: number): { ns: number; digest: string } {
  const dir = mkdtempSync(join(tmpdir(), 'trustbox-native-'));
  try {
    const exe = join(dir, 'sha256_bench');
    const root = projectRoot();
    // The same C and the same optimisation level as the TA build (-Os, from the dev kit).
    execFileSync('gcc', ['-Os', '-o', exe, `-I${join(root, 'firmware/ta/bench')}`,
      join(root, 'scripts/bench/native/sha256_bench.c'), join(root, 'firmware/ta/bench/sha256.c')]);
    const [ns, digest] = execFileSync(exe, [String(bytes), String(rounds), '9'], { encoding: 'utf8' }).trim().split(' ');
    return { ns: Number(ns), digest: digest! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const metrics: BenchMetric[] = [
  {
    name: 'boot.inprocess.ms', unit: 'ms',
    run() {
      const times: number[] = [];
      for (let i = 0; i < 15; i++) {
        const state = mkdtempSync(join(tmpdir(), 'trustbox-bench-'));
        const device = new Device({ stateDir: state });
        times.push(device.boot().bootMs);
        device.powerOff();
        rmSync(state, { recursive: true, force: true });
      }
      return median(times.slice(1)); // the first boot pays one-time library loading
    },
  },
  { name: 'boot.cli.ms', unit: 'ms', run: () => cliTimes().cli },
  { name: 'boot.cli.ratio_to_node', unit: 'x', run: () => cliTimes().cli / cliTimes().node },
  {
    name: 'ta.load.ms', unit: 'ms',
    run: () => withDevice((d) => {
      const times: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t0 = performance.now();
        const r = d.client.openSession(HELLO_WORLD);
        times.push(performance.now() - t0);
        d.client.closeSession(r.session!);
      }
      return median(times);
    }),
  },
  {
    // The same, with hello_world encrypted in OP-TEE's format (device-specific key, all-zero HUK).
    name: 'ta.load.encrypted.ms', unit: 'ms',
    run: () => {
      const dir = mkdtempSync(join(tmpdir(), 'trustbox-bench-enc-'));
      try {
        const key = developmentSigningKey();
        const elf = readFileSync(join(projectRoot(), `firmware/ta/hello_world/out/${HELLO_WORLD}.stripped.elf`));
        const encKey = opteeTaEncKey(hukSubkeys(Buffer.alloc(16)), createPublicKey(key));
        writeFileSync(join(dir, `${HELLO_WORLD}.ta`), encryptTa({ elf, uuid: HELLO_WORLD, key, encKey }));
        return withDevice((d) => {
          const times: number[] = [];
          for (let i = 0; i < 15; i++) {
            const t0 = performance.now();
            const r = d.client.openSession(HELLO_WORLD);
            times.push(performance.now() - t0);
            if (r.result !== 0) throw new Error(`the encrypted hello_world did not load (0x${(r.result >>> 0).toString(16)})`);
            d.client.closeSession(r.session!);
          }
          return median(times);
        }, { huk: '0'.repeat(32), taPaths: [dir] });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'invoke.inprocess.us', unit: 'us',
    run: () => withDevice((d) => {
      const s = d.client.openSession(HELLO_WORLD).session!;
      // Steady state, as a device serving calls runs: V8 optimises the functions on the invoke
      // path between about calls 800 and 2,500 (measured: median 26 µs over calls 0-500,
      // 15 µs over 1,000-1,500, under 10 µs from call 2,500 on), so warm up 3,000 calls first.
      invokeTimes(d, s, 0, [{ type: 'value-inout', a: 1, b: 0 }], 3000);
      return median(invokeTimes(d, s, 0, [{ type: 'value-inout', a: 1, b: 0 }], 2000)) * 1000;
    }),
  },
  {
    name: 'syscall.ns', unit: 'ns',
    run: () => withDevice((d) => {
      const s = d.client.openSession(BENCH_TA).session!;
      const loop = (n: number) => median(invokeTimes(d, s, 1, [{ type: 'value-in', a: n, b: 0 }], 15));
      loop(10_000);
      const n = 200_000;
      return ((loop(n) - loop(0)) * 1e6) / n;
    }),
  },
  {
    name: 'ta.sha256.ratio_to_native', unit: 'x',
    run: () => withDevice((d) => {
      const bytes = 1 << 20;
      const data = Buffer.alloc(bytes);
      for (let i = 0; i < bytes; i++) data[i] = (i * 7 + 1) & 0xff;
      const s = d.client.openSession(BENCH_TA).session!;
      const params: ParamSpec[] = [{ type: 'memref-in', data }, { type: 'memref-out', size: 32 }, { type: 'value-in', a: 1, b: 0 }];
      invokeTimes(d, s, 0, params, 2);
      const ta = median(invokeTimes(d, s, 0, params, 9)) * 1e6;
      const call = specsToMsg(params);
      const last = d.client.invoke(s, 0, call.params, call.data).data?.[1];
      const native = nativeSha256Ns(bytes, 1);
      const taDigest = last ? Buffer.from(last).toString('hex') : '';
      if (taDigest !== native.digest) throw new Error('the TA and the native build disagree on the digest');
      return ta / native.ns;
    }),
  },
];
