// The app a user bundles for the browser: it imports simdcnn by name and
// hands the page a function that runs the shared scenario (init, predict,
// trainOnBatch, fit; tests/browser/scenario.js, copied in beside it).
import * as simdcnn from "simdcnn";
import { runScenario } from "./scenario.js";

globalThis.app = { run: (input) => runScenario(simdcnn, input) };
