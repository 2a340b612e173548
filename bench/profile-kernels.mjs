// `npm run bench:kernels`: where a training step (or a predict) spends its
// time, per wasm export. Every export of the instance init() creates is
// wrapped with a timer, so the table is wall time inside each kernel call,
// summed over the measured steps (the wrapper's own cost, ~0.1 us a call, is
// in it). For finding the kernel to work on next, not for speed claims:
// `npm run bench` is where speed is measured.
//
//   node bench/profile-kernels.mjs [--model mobilenetv2|resnet8|lenet] [--backend simd|relaxed-simd|scalar]
//                                  [--batch N] [--steps N] [--predict]
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    model: { type: "string", default: "mobilenetv2" },
    backend: { type: "string", default: "simd" },
    batch: { type: "string", default: "16" },
    steps: { type: "string", default: "10" },
    predict: { type: "boolean", default: false },
  },
});

const times = new Map();
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (source, imports) {
  const result = await instantiate.call(this, source, imports);
  const instance = result.instance ?? result;
  const exports = {};
  for (const [name, value] of Object.entries(instance.exports)) {
    exports[name] = typeof value !== "function" ? value : (...args) => {
      const t0 = performance.now();
      const out = value(...args);
      const entry = times.get(name) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - t0;
      entry.calls++;
      times.set(name, entry);
      return out;
    };
  }
  const wrapped = Object.create(WebAssembly.Instance.prototype, { exports: { value: exports } });
  return result.instance ? { module: result.module, instance: wrapped } : wrapped;
};

const api = await import("simdcnn");
const { buildModel } = await import("./lib/simdcnn.mjs");
const { LENET5, RESNET8, mobileNetV2 } = await import("./lib/models.mjs");
const specs = { mobilenetv2: () => mobileNetV2({ alpha: 0.35, size: 96, classes: 10 }), resnet8: () => RESNET8, lenet: () => LENET5 };
if (!specs[opts.model]) throw new Error(`--model: one of ${Object.keys(specs).join(", ")}`);
await api.init({ backend: opts.backend, nodeRelaxedSimdFlag: true });
const spec = specs[opts.model]();
const model = buildModel(api, spec);
const batch = Number(opts.batch), steps = Number(opts.steps);
const classes = model.outputs?.[0]?.shape?.at(-1) ?? 10;
const x = Float32Array.from({ length: batch * spec.inputShape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i) * 0.5 + 0.5);
const y = new Float32Array(batch * classes);
for (let i = 0; i < batch; i++) y[i * classes + (i % classes)] = 1;
model.compile({ optimizer: new api.SGD({ learningRate: 1e-3 }), loss: "categoricalCrossentropy" });
const step = opts.predict ? () => model.predict(x) : () => model.trainOnBatch(x, y);
for (let i = 0; i < 3; i++) step();
times.clear();
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const total = (performance.now() - t0) / steps;
const inWasm = [...times.values()].reduce((s, e) => s + e.ms, 0) / steps;
console.log(`${spec.name ?? opts.model}, ${opts.predict ? "predict" : "trainOnBatch"}, batch ${batch}, ${api.capabilities().backend}: ` +
  `${total.toFixed(2)} ms a step, ${inWasm.toFixed(2)} ms in wasm exports`);
console.log("export                          ms/step   share  calls/step");
for (const [name, e] of [...times].sort((a, b) => b[1].ms - a[1].ms)) {
  if (e.ms / steps < 0.01) continue;
  console.log(`${name.padEnd(30)} ${(e.ms / steps).toFixed(2).padStart(8)} ${((100 * e.ms) / steps / total).toFixed(1).padStart(6)}%  ${(e.calls / steps).toFixed(0).padStart(6)}`);
}
model.dispose();
