/**
 * `npm run bench [-- --json] [-- --only PREFIX]`: runs every benchmark metric and prints the
 * figures, or one JSON line {"metrics":{...},"engine":{...}}: each metric as
 * {"value":<number>,"unit":"<unit>"}, and the engine library the figures were measured with.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chooseLibrary, describeLibrary } from '../emulator/cpu/library.js';
import { metrics as coreMetrics } from './bench/core.js';
import type { BenchMetric } from './bench/types.js';

/** Metric families written alongside (WebSocket API, crypto), loaded when present. */
async function optionalFamilies(): Promise<BenchMetric[]> {
  const out: BenchMetric[] = [];
  for (const name of ['ws', 'crypto', 'storage']) {
    const url = new URL(`./bench/${name}.js`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    const mod = (await import(url.href)) as { metrics?: BenchMetric[] };
    out.push(...(mod.metrics ?? []));
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyAt = args.indexOf('--only');
  const prefix = onlyAt >= 0 ? args[onlyAt + 1] ?? '' : '';
  const all = [...coreMetrics, ...(await optionalFamilies())].filter((m) => m.name.startsWith(prefix));
  if (all.length === 0) throw new Error(`no metric starts with "${prefix}"`);
  const results: Record<string, { value: number; unit: string }> = {};
  if (!json) console.log(`engine: ${describeLibrary()}`);
  for (const m of all) {
    if (!json) process.stderr.write(`bench: ${m.name} ...\n`);
    const value = await m.run();
    results[m.name] = { value: Math.round(value * 1000) / 1000, unit: m.unit };
    if (!json) console.log(`${m.name.padEnd(32)} ${String(results[m.name]!.value).padStart(12)} ${m.unit}`);
  }
  if (json) console.log(JSON.stringify({ metrics: results, engine: chooseLibrary() }));
}

main().catch((error: unknown) => {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
});
