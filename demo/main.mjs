// `npm start`: the classic CNN pipeline as a LeNet on 28x28x1, run on real
// MNIST digits with the wasm backend and the plain-JS backend.
// Training arrives with its own issue; until then the weights are the seeded
// Glorot initialisation, so the point here is the pipeline, the parameter
// counts and the speed, not the predictions.
import { init, capabilities, Sequential, Conv2D, MaxPool2D, Flatten, Dense } from "simdcnn";
import { loadDigits, asciiArt, IMAGE_SIZE } from "./digits.mjs";

function lenet() {
  return new Sequential([
    new Conv2D({ filters: 6, kernelSize: 5, padding: "same", activation: "relu" }),
    new MaxPool2D({ poolSize: 2 }),
    new Conv2D({ filters: 16, kernelSize: 5, activation: "relu" }),
    new MaxPool2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 120, activation: "relu" }),
    new Dense({ units: 84, activation: "relu" }),
    new Dense({ units: 10, activation: "softmax" }),
  ], { inputShape: [28, 28, 1] });
}

/** Median milliseconds per image over `rounds` timed calls of `run` on `batch` images. */
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

const { x, labels, count } = loadDigits(0, 10);
const one = x.subarray(0, IMAGE_SIZE);

console.log("simdcnn demo: LeNet-5 on real MNIST digits\n");
console.log(asciiArt(one, 28, 28, 2).join("\n"));
console.log(`(digit ${labels[0]}, 28x28, one of ${count} loaded)\n`);

const results = [];
for (const backend of ["auto", "js"]) {
  await init({ backend, nodeRelaxedSimdFlag: true });
  const caps = capabilities();
  const model = lenet();
  if (backend === "auto") {
    console.log(model.summary());
    const conv = model.layers[2].countParams();
    const dense = model.layers[5].countParams();
    console.log(`\nA 5x5 convolution shares ${conv} parameters across the whole image;` +
      ` the first dense layer needs ${dense} (${(dense / conv).toFixed(0)}x more).\n`);
  }
  const single = msPerImage(() => model.predict(one), 1, 500);
  const batched = msPerImage(() => model.predict(x), count, 500);
  const probs = model.predict(x).toArray();
  let agree = 0;
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probs[i * 10 + c] > probs[i * 10 + best]) best = c;
    if (best === labels[i]) agree++;
  }
  results.push({ name: caps.backend, single, batched, agree });
  model.dispose();
}

console.log("backend         ms/image (batch 1)   ms/image (batch 100)");
for (const r of results) {
  console.log(`${r.name.padEnd(15)} ${r.single.toFixed(4).padStart(18)}   ${r.batched.toFixed(4).padStart(20)}`);
}
const [wasm, js] = results;
console.log(`\n${wasm.name} is ${(js.single / wasm.single).toFixed(1)}x faster than plain JS at batch 1,` +
  ` ${(js.batched / wasm.batched).toFixed(1)}x at batch 100.`);
console.log(`Untrained (seeded Glorot weights): ${wasm.agree}/${count} right by chance; training comes next.`);
