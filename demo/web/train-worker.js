// Trains a fresh LeNet (the network of `npm start`, demo/lenet.mjs) off the
// page's thread, so drawing and the page's animation never wait for it.
// Messages in: { type: "train", epochs } and { type: "save", url }. Out:
// "loaded" (the data set's sizes), "batch" (one per batch: the loss curve and
// the progress bar), "epoch" (with the held-out accuracy), "done", "saved",
// and "error" with the message.
import { Adam, capabilities, init } from "simdcnn";
import { lenet } from "../lenet.mjs";
import { decodeDigits } from "./digit-file.js";

/** The recipe of the shipped model (scripts/train-lenet.mjs): Adam 2e-3, decayed by 0.8 per epoch, batch 32. */
const LEARNING_RATE = 2e-3;
const DECAY = 0.8;
const BATCH_SIZE = 32;

let ready = null;
let digits = null;
let model = null;

async function train(epochs) {
  await (ready ??= init());
  digits ??= decodeDigits(await (await fetch(new URL("./mnist-digits.bin", import.meta.url))).arrayBuffer());
  const { train, test } = digits;
  self.postMessage({ type: "loaded", train: train.count, test: test.count, backend: capabilities().backend });
  model?.dispose();
  model = lenet();
  const optimizer = new Adam({ learningRate: LEARNING_RATE });
  await model.compile({ optimizer, loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  const batches = Math.ceil(train.count / BATCH_SIZE);
  const started = performance.now();
  let current = 0;
  await model.fit(train.x, train.labels, {
    epochs, batchSize: BATCH_SIZE, seed: 1,
    onBatchEnd: (batch, logs) => self.postMessage({ type: "batch", epoch: current, epochs, batch, batches, loss: logs.loss }),
    onEpochEnd: (epoch, logs) => {
      const held = model.evaluate(test.x, test.labels);
      self.postMessage({ type: "epoch", epoch, epochs, loss: logs.loss, accuracy: logs.accuracy, testAccuracy: held.accuracy });
      optimizer.learningRate *= DECAY;
      current = epoch + 1;
    },
  });
  self.postMessage({ type: "done", seconds: (performance.now() - started) / 1000 });
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === "train") await train(data.epochs);
    else if (data.type === "save") {
      if (model === null) throw new Error("no model trained yet");
      await model.save(data.url);
      self.postMessage({ type: "saved", url: data.url });
    } else throw new Error(`unknown message ${JSON.stringify(data.type)}`);
  } catch (e) {
    self.postMessage({ type: "error", message: `${e.name}: ${e.message}` });
  }
};
