// Shared timing helpers for the benchmarks. Machines are shared and noisy, so every figure is
// taken as the median of several interleaved rounds and reported as a ratio against a baseline
// measured in the same run.

/** Operations per second of `fn`, measured over about `ms` milliseconds. */
export function opsPerSecond(fn, ms = 200) {
  let n = 0;
  let batch = 1;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    if (batch < 1 << 16) batch *= 2;
    elapsed = performance.now() - start;
  }
  return (n * 1000) / elapsed;
}

/** Async variant of {@link opsPerSecond}; runs `concurrency` calls at a time. */
export async function opsPerSecondAsync(fn, ms = 300, concurrency = 1) {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    await Promise.all(Array.from({ length: concurrency }, () => fn()));
    n += concurrency;
    elapsed = performance.now() - start;
  }
  return (n * 1000) / elapsed;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Measures each named case in interleaved rounds and returns the median ops/s of each.
 * `cases` maps names to synchronous functions.
 */
export function compare(cases, { rounds = 7, ms = 150 } = {}) {
  const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const fn of Object.values(cases)) opsPerSecond(fn, 50); // warm up
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(cases)) results[name].push(opsPerSecond(fn, ms));
  }
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
}

/** Formats ops/s with thousands separators. */
export function fmt(ops) {
  return Math.round(ops).toLocaleString('en-US').padStart(12);
}
