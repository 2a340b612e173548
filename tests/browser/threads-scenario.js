// The thread tests' workload, run in Chromium on dist/browser.js with
// init({ threads: 2 }) and in Node on one thread: plain JavaScript (types
// in threads-scenario.d.ts) taking the library as an argument, so both
// sides run the same code. The model has each kind of layer that splits
// (src/threads/split.ts), at sizes where it does at batch 8: Conv2D and
// DepthwiseConv2D by images, the 4032 -> 257 Dense by rows; then pooling
// and a small Dense that stay whole. Shapes from tests/threads/models.ts.
// Predictions return as float32 bit patterns, compared exactly.

export const INPUT_SHAPE = [37, 29, 16];
export const BATCH = 8;

export function buildThreadsModel(lib) {
  return new lib.Sequential([
    new lib.Conv2D({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" }),
    new lib.DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2, padding: "same", activation: "relu" }),
    new lib.MaxPool2D({ poolSize: 3, strides: 2 }),
    new lib.AvgPool2D({ poolSize: 2 }),
    new lib.Flatten(),
    new lib.Dense({ units: 257, activation: "relu" }),
    new lib.Dense({ units: 19 }),
  ], { inputShape: INPUT_SHAPE, seed: 11 });
}

/** init(initOptions), then predict `x` (BATCH samples) on the calling thread, `repeats` times. */
export async function runThreads(lib, { initOptions, x, repeats }) {
  const initReturned = await lib.init(initOptions);
  const model = buildThreadsModel(lib);
  try {
    const xs = Float32Array.from(x);
    const predictions = [];
    for (let i = 0; i < repeats; i++) {
      predictions.push(Array.from(new Uint32Array(Float32Array.from(model.predict(xs).toArray()).buffer)));
    }
    return { initReturned, capabilities: lib.capabilities(), predictions };
  } finally {
    model.dispose();
  }
}
