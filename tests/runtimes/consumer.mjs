// A user's script, run by Node, Deno and Bun alike inside a project that
// installed the packed tarball: it imports simdcnn by name, so each runtime
// picks its entry from the package's `exports` by its own conditions. It
// runs tests/edge/scenario.mjs (copied next to it: init, predict,
// trainOnBatch, fit with fixed weights), then a save / loadModel round trip
// in memory and through files, and prints one line of JSON.
//
// argv[2], when given, is init()'s options as JSON: the Node run that the
// test compares against names the binary the other runtime chose. Deno and
// Bun get none, so init() picks by itself.
import { Adam, Conv2D, Dense, Flatten, MaxPool2D, Sequential, capabilities, init, loadModel } from "simdcnn";
import { runScenario, toHex } from "./scenario.mjs";

const initOptions = process.argv[2] === undefined ? undefined : JSON.parse(process.argv[2]);
const lib = { Adam, Conv2D, Dense, Flatten, MaxPool2D, Sequential, capabilities, init };
const scenario = await runScenario(lib, initOptions, 20261206);

// Save and load back: the copy must predict the same bits as the original.
const model = new Sequential([
  new Conv2D({ filters: 4, kernelSize: 3, padding: "same", activation: "relu", seed: 1 }),
  new Flatten(),
  new Dense({ units: 3, activation: "softmax", seed: 2 }),
], { inputShape: [4, 4, 2] });
const x = Float32Array.from({ length: 2 * 4 * 4 * 2 }, (_, i) => ((i * 37) % 11) / 11);
const original = toHex(model.predict(x).toArray());
const { modelJson, weights } = await model.save();
const fromMemory = toHex((await loadModel(modelJson, weights)).predict(x).toArray());
await model.save("file://./saved");
const fromFiles = toHex((await loadModel("saved/model.json")).predict(x).toArray());

let runtime = `node ${process.versions.node}`;
if (typeof globalThis.Deno === "object") runtime = `deno ${globalThis.Deno.version.deno}`;
else if (process.versions.bun !== undefined) runtime = `bun ${process.versions.bun}`;

console.log(JSON.stringify({
  runtime,
  entry: import.meta.resolve("simdcnn"),
  scenario,
  roundTrip: { original, fromMemory, fromFiles },
}));
