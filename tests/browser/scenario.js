// The workload the browser tests run twice: in Chromium on dist/browser.js
// and in Node on the "simdcnn" package. It is plain JavaScript (served as is
// to the page; types in scenario.d.ts) and takes the library as an argument,
// so both sides run literally the same code and any difference in the
// results comes from the library or the engine, not from two copies of a test.
//
// Results travel through Playwright's serializer, so every float32 array is
// returned as its raw bit patterns (uint32): -0, NaN payloads and the last
// bit survive the trip, and the comparison can be exact.

/** Input of one sample, NHWC. */
export const INPUT_SHAPE = [8, 8, 3];
export const CLASSES = 3;

/** Conv 3x3 same relu -> max pool -> conv 3x3 relu -> flatten -> dense softmax. */
export function buildModel(lib) {
  return new lib.Sequential([
    new lib.Conv2D({ filters: 8, kernelSize: 3, padding: "same", activation: "relu" }),
    new lib.MaxPool2D({ poolSize: 2 }),
    // 16 filters: the 2x16 SIMD conv tile, not only the 4x8 one.
    new lib.Conv2D({ filters: 16, kernelSize: 3, activation: "relu" }),
    new lib.Flatten(),
    new lib.Dense({ units: CLASSES, activation: "softmax" }),
  ], { inputShape: INPUT_SHAPE, seed: 1 });
}

function bits(f32) {
  return Array.from(new Uint32Array(Float32Array.from(f32).buffer));
}

/**
 * init(options), then predict, trainOnBatch and fit a model with the given
 * weights. Plain numbers in, plain data out (see ScenarioResult).
 */
export async function runScenario(lib, { initOptions, weights, x, labels, predictCount, steps, epochs }) {
  const initReturned = await lib.init(initOptions);
  const capabilities = lib.capabilities();
  const model = buildModel(lib);
  try {
    model.setWeights(weights.map((w) => Float32Array.from(w)));
    const xs = Float32Array.from(x);
    const ys = Int32Array.from(labels);
    const sampleSize = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];
    const predictBatch = xs.subarray(0, predictCount * sampleSize);
    const predictions = bits(model.predict(predictBatch).toArray());

    // A page's first compile fetches the training half of the wasm build: trainOnBatch waits for it.
    await model.compile({ optimizer: new lib.Adam({ learningRate: 0.01 }), loss: "sparseCategoricalCrossentropy" });
    const stepLosses = [];
    for (let i = 0; i < steps; i++) stepLosses.push(model.trainOnBatch(xs, ys).loss);
    // fit too: it shuffles (seeded) and yields to the event loop between
    // batches, which in a page goes through MessageChannel, not setImmediate.
    const history = await model.fit(xs, ys, { epochs, batchSize: 2, shuffle: true, seed: 7 });

    return {
      initReturned,
      capabilities,
      predictions,
      stepLosses,
      fitLosses: history.loss,
      trainedPredictions: bits(model.predict(predictBatch).toArray()),
      weights: model.getWeights().map(bits),
    };
  } finally {
    model.dispose();
  }
}
