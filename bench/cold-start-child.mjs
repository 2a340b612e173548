// Spawned by lib/cold-start.mjs: a fresh process that does what an app does
// first — import simdcnn, init, build LeNet-5, predict once — and then says
// so on stdout. It imports nothing else, so the time is simdcnn's alone.

const tStart = performance.now(); // ms since this process started (Node boot included)
const { init, capabilities, Sequential, Conv2D, MaxPool2D, Flatten, Dense } = await import("simdcnn");
const tImported = performance.now();
await init();
const tInit = performance.now();
const model = new Sequential([
  new Conv2D({ filters: 6, kernelSize: 5, padding: "same", activation: "relu" }),
  new MaxPool2D({ poolSize: 2 }),
  new Conv2D({ filters: 16, kernelSize: 5, padding: "valid", activation: "relu" }),
  new MaxPool2D({ poolSize: 2 }),
  new Flatten(),
  new Dense({ units: 120, activation: "relu" }),
  new Dense({ units: 84, activation: "relu" }),
  new Dense({ units: 10, activation: "softmax" }),
], { inputShape: [28, 28, 1] });
const tBuilt = performance.now();
const probs = model.predict(new Float32Array(28 * 28)).toArray();
process.stdout.write(JSON.stringify({
  sinceProcessStartMs: performance.now(),
  phasesMs: {
    nodeBoot: tStart,
    import: tImported - tStart,
    init: tInit - tImported,
    build: tBuilt - tInit,
    predict: performance.now() - tBuilt,
  },
  backend: capabilities().backend,
  outputs: probs.length,
}) + "\n");
