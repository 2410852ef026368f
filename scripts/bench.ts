/**
 * `npm run bench [-- --json] [-- --only PREFIX]`: runs every benchmark metric and prints the
 * figures, or one JSON line {"metrics":{...},"engine":{...}}: each metric as
 * {"value":<number>,"unit":"<unit>"}, and the engine library the figures were measured with.
 *
 * Each core measurement, and each other family as a whole (its metrics share one measurement),
 * runs in a fresh Node process: measured in one process after the others, the in-process invoke was
 * 10-40% slower and noisier (the boots and TA loads before it leave V8 and the heap in another
 * state than a device process has).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chooseLibrary, describeLibrary } from '../emulator/cpu/library.js';
import { metrics as coreMetrics } from './bench/core.js';
import type { BenchMetric } from './bench/types.js';

/** Metric families written alongside (WebSocket API, crypto), loaded when present. */
async function optionalFamilies(): Promise<BenchMetric[]> {
  const out: BenchMetric[] = [];
  for (const name of ['ws', 'crypto', 'storage', 'threads', 'attest', 'libteec', 'oe', 'snapshot']) {
    const url = new URL(`./bench/${name}.js`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    const mod = (await import(url.href)) as { metrics?: BenchMetric[] };
    out.push(...(mod.metrics ?? []));
  }
  return out;
}

/**
 * Names of the metrics to run together in one process: core metrics by measurement (the name
 * without its last part: boot.cli.ms and boot.cli.ratio_to_node share one), other families whole.
 */
function groups(core: BenchMetric[], families: BenchMetric[]): string[][] {
  const byKey = new Map<string, string[]>();
  const add = (key: string, name: string) => byKey.set(key, [...(byKey.get(key) ?? []), name]);
  for (const m of core) add(m.name.split('.').slice(0, -1).join('.') || m.name, m.name);
  for (const m of families) add(m.name.split('.')[0]!, m.name);
  return [...byKey.values()];
}

/** Child mode (`--child NAME,...`): runs those metrics here and prints their results as JSON. */
async function child(names: string[], all: BenchMetric[]): Promise<void> {
  const results: Record<string, { value: number; unit: string }> = {};
  for (const name of names) {
    const m = all.find((x) => x.name === name);
    if (!m) throw new Error(`no metric ${name}`);
    process.stderr.write(`bench: ${m.name} ...\n`);
    const value = await m.run();
    results[m.name] = { value: Math.round(value * 1000) / 1000, unit: m.unit };
  }
  console.log(JSON.stringify(results));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const core = coreMetrics;
  const families = await optionalFamilies();
  const childAt = args.indexOf('--child');
  if (childAt >= 0) return child((args[childAt + 1] ?? '').split(','), [...core, ...families]);
  const onlyAt = args.indexOf('--only');
  const prefix = onlyAt >= 0 ? args[onlyAt + 1] ?? '' : '';
  const selected = groups(core, families).map((g) => g.filter((name) => name.startsWith(prefix))).filter((g) => g.length > 0);
  if (selected.length === 0) throw new Error(`no metric starts with "${prefix}"`);
  const results: Record<string, { value: number; unit: string }> = {};
  if (!json) console.log(`engine: ${describeLibrary()}`);
  for (const names of selected) {
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', names.join(',')], {
      stdio: ['ignore', 'pipe', json ? 'ignore' : 'inherit'], encoding: 'utf8', maxBuffer: 1 << 20,
    });
    if (run.status !== 0) throw new Error(`${names.join(', ')} failed (exit ${run.status ?? run.signal})`);
    const got = JSON.parse(run.stdout.trim().split('\n').pop()!) as typeof results;
    for (const name of names) {
      results[name] = got[name]!;
      if (!json) console.log(`${name.padEnd(32)} ${String(got[name]!.value).padStart(12)} ${got[name]!.unit}`);
    }
  }
  if (json) console.log(JSON.stringify({ metrics: results, engine: chooseLibrary() }));
}

main().catch((error: unknown) => {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
});
