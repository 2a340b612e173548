// The esbuild alternative to copying wasm/ (docs/bundlers.md): import the
// one binary to ship, which --loader:.wasm=file emits and turns into its
// path, and pass its URL to init(). Otherwise as main.js.
import * as simdcnn from "simdcnn";
import simdWasm from "simdcnn/wasm/simd.wasm";
import { runScenario } from "./scenario.js";

const wasm = new URL(simdWasm, import.meta.url).href;
globalThis.app = { run: (input) => runScenario(simdcnn, { ...input, initOptions: { ...input.initOptions, wasm } }) };
