// The Worker that workerd-server.ts loads into workerd. It imports the
// library the way a Cloudflare Worker does (the workerd entry, with the wasm
// binaries as modules that workerd compiles at load time and hands in as
// WebAssembly.Module objects; the test's own copies are passed to init({ wasm })) and answers the test's requests with JSON.
// Errors travel back as { error } with name, message and stack, so a failure
// inside workerd reads like one in Node.

import * as simdcnn from "simdcnn";
import relaxedSimd from "./relaxed-simd.wasm";
import simd from "./simd.wasm";
import scalar from "./scalar.wasm";
import scalarBytes from "./scalar-bytes.bin";
import { runScenario } from "./scenario.mjs";

const modules = { "relaxed-simd": relaxedSimd, simd, scalar };

function describeError(e) {
  return {
    name: e?.name ?? typeof e,
    message: String(e?.message ?? e),
    stack: String(e?.stack ?? ""),
    isBackendError: e instanceof simdcnn.BackendError,
  };
}

function json(value, status = 200) {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
}

/** Runs `init(options)` and reports whether it rejected and with what. */
async function tryInit(options) {
  try {
    const capabilities = await simdcnn.init(options);
    return { rejected: false, capabilities };
  } catch (e) {
    // Not `error`: that key means the request itself failed.
    return { rejected: true, thrown: describeError(e) };
  }
}

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      switch (pathname) {
        case "/ready":
          return json({
            wasmImportsAreModules: Object.fromEntries(
              Object.entries(modules).map(([name, m]) => [name, m instanceof WebAssembly.Module])),
          });
        case "/run": {
          const { backend, seed } = await request.json();
          const wasm = modules[backend];
          if (wasm === undefined) return json({ error: { name: "TestError", message: `no module for '${backend}'` } }, 400);
          return json({ result: await runScenario(simdcnn, { wasm, backend }, seed) });
        }
        case "/init-without-wasm":
          return json(await tryInit());
        case "/init-threads":
          return json(await tryInit({ threads: 2 }));
        case "/init-scalar-without-wasm":
          return json(await tryInit({ backend: "scalar" }));
        case "/init-from-bytes":
          // Bytes must be compiled here, which workerd forbids (only modules
          // compiled at load time may run): the library has to say so.
          return json(await tryInit({ wasm: new Uint8Array(scalarBytes), backend: "scalar" }));
        default:
          return json({ error: { name: "TestError", message: `unknown path ${pathname}` } }, 404);
      }
    } catch (e) {
      return json({ error: describeError(e) }, 500);
    }
  },
};
