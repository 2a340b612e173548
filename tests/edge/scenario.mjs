// The computation both sides of the workerd test run: the worker inside
// workerd (with the edge bundle and a precompiled WebAssembly.Module) and the
// test in Node (with the node entry reading the same binary from disk).
// Plain JavaScript, no imports: workerd loads this file as is, so the two
// runtimes execute the very same source and only the engine differs.
//
// Every float that crosses back to the test travels as the hex of its bytes,
// not as a JSON number: JSON turns -0 into 0 and NaN into null, and the test
// compares bits.

/** mulberry32 (as tests/support/rng.ts): integer arithmetic only, so every engine draws the same floats. */
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(rng, length, lo, hi) {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

/** The bytes of a typed array as lowercase hex (btoa/Buffer differ between runtimes; this does not). */
export function toHex(array) {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, "0");
  return s;
}

export const INPUT_SHAPE = [8, 8, 3];
export const BATCH = 2;
export const CLASSES = 5;
export const TRAIN_STEPS = 3;
export const FIT_EPOCHS = 2;

/**
 * Builds the small CNN. Filter and unit counts are chosen to hit both the
 * SIMD body and the tails of the kernels: 8 filters (two full lanes of 4),
 * 6 filters and 5 classes (a partial vector each).
 */
function buildModel(lib) {
  return new lib.Sequential([
    new lib.Conv2D({ filters: 8, kernelSize: 3, padding: "same", activation: "relu" }),
    new lib.MaxPool2D({ poolSize: 2 }),
    new lib.Conv2D({ filters: 6, kernelSize: 3, padding: "valid", activation: "relu" }),
    new lib.Flatten(),
    new lib.Dense({ units: CLASSES, activation: "softmax" }),
  ], { inputShape: INPUT_SHAPE });
}

/**
 * Runs init, predict, trainOnBatch and fit on one backend and returns what
 * the test compares. `lib` is the simdcnn module namespace; `initOptions` are
 * passed to `lib.init` as is.
 */
export async function runScenario(lib, initOptions, seed) {
  await lib.init(initOptions);
  const capabilities = lib.capabilities();

  const rng = mulberry32(seed);
  const model = buildModel(lib);
  // Small weights around 0 (He-like scale), so ReLUs are neither all dead nor all alive.
  const initial = model.getWeights().map((w) => uniform(rng, w.length, -0.5, 0.5));
  model.setWeights(initial);
  const pixels = BATCH * INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];
  const x = uniform(rng, pixels, 0, 1);
  const labels = new Float32Array(BATCH * CLASSES);
  for (let b = 0; b < BATCH; b++) labels[b * CLASSES + (Math.floor(rng() * CLASSES) % CLASSES)] = 1;

  const predicted = model.predict(x).toArray();

  model.compile({ optimizer: new lib.Adam({ learningRate: 0.01 }), loss: "categoricalCrossentropy" });
  const stepLosses = new Float64Array(TRAIN_STEPS);
  for (let i = 0; i < TRAIN_STEPS; i++) stepLosses[i] = model.trainOnBatch(x, labels).loss;
  const afterSteps = model.getWeights();
  const predictedAfterSteps = model.predict(x).toArray();

  // fit yields to the event loop after every batch (a MessageChannel where
  // there is no setImmediate): batch size 1 makes it yield, and shuffle with a
  // fixed seed makes the batch order part of what is compared.
  const history = await model.fit(x, labels, { epochs: FIT_EPOCHS, batchSize: 1, shuffle: true, seed: 7 });
  const afterFit = model.getWeights();

  return {
    capabilities,
    initial: initial.map(toHex),
    predicted: toHex(predicted),
    stepLosses: toHex(stepLosses),
    afterSteps: afterSteps.map(toHex),
    predictedAfterSteps: toHex(predictedAfterSteps),
    fitLosses: toHex(Float64Array.from(history.loss)),
    afterFit: afterFit.map(toHex),
  };
}
