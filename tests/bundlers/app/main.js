// The app a user bundles for the browser: it imports simdcnn by name and
// hands the page a function that runs the shared scenario (init, predict,
// trainOnBatch, fit; tests/browser/scenario.js, copied in beside it), and
// one that runs the threads workload (layers big enough to split across
// threads; tests/browser/threads-scenario.js, copied in too).
import * as simdcnn from "simdcnn";
import { runScenario } from "./scenario.js";
import { runThreads } from "./threads-scenario.js";

globalThis.app = { run: (input) => runScenario(simdcnn, input), runThreads: (input) => runThreads(simdcnn, input) };
