/** Statistics the benchmarks and the fuzzer share. */

/** The p-th percentile (nearest rank below) of `samples`; NaN when there are none. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
