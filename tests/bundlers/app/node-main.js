// The app a user bundles for Node (esbuild --platform=node): the shared
// scenario on the input in input.json, its result printed as one line of
// JSON, or the error's name and message. No top-level await: it is also
// bundled to CommonJS.
import { readFileSync } from "node:fs";
import * as simdcnn from "simdcnn";
import { runScenario } from "./scenario.js";

const input = JSON.parse(readFileSync("input.json", "utf8"));
runScenario(simdcnn, input).then(
  (result) => console.log(JSON.stringify({ result })),
  (e) => console.log(JSON.stringify({ error: { name: e.name, message: e.message } })),
);
