// Timing for the threads section: a warm-up call, then calls until the
// budget is spent (at least 5): the fastest and the median, in ms.
export async function timeRuns(run, budgetMs) {
  await run();
  const samples = [];
  const end = performance.now() + budgetMs;
  while (samples.length < 5 || (performance.now() < end && samples.length < 500)) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { minMs: samples[0], ms: samples[samples.length >> 1], samples: samples.length };
}
