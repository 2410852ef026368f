/**
 * A benchmark metric: `npm run bench` runs every metric whose name starts with `--only PREFIX`
 * and prints `{"metrics":{"<name>":{"value":<number>,"unit":"<unit>"}},"engine":{...}}` with `--json`.
 */
export interface BenchMetric {
  /** Dotted name, e.g. `boot.inprocess.ms`. */
  name: string;
  unit: string;
  /** Measures and returns the value (medians where the name says so). */
  run(): Promise<number> | number;
}
