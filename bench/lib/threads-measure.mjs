// Timing for the threads section and the browser bench page: a warm-up
// call, then calls until the budget is spent (at least `minSamples`, 5
// unless told): the fastest and the median, in ms. No Node imports: the
// page bundles it.
export async function timeRuns(run, budgetMs, minSamples = 5) {
  await run();
  const samples = [];
  const end = performance.now() + budgetMs;
  while (samples.length < minSamples || (performance.now() < end && samples.length < 500)) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { minMs: samples[0], ms: samples[samples.length >> 1], samples: samples.length };
}
