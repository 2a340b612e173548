// A Worker as a user writes one: simdcnn imported by its package name, and a
// plain `await init()` with no wasm passed (the workerd entry imports its
// binaries as modules). The test bundles this file the way wrangler does.
import * as simdcnn from "simdcnn";
import { runScenario } from "./scenario.mjs";

function json(value, status = 200) {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
}

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      if (pathname === "/ready") return json({ ready: true });
      if (pathname === "/init") return json({ capabilities: await simdcnn.init() });
      if (pathname === "/run") {
        const { seed } = await request.json();
        // No init options at all: runScenario calls init(undefined), i.e. `await init()`.
        return json({ result: await runScenario(simdcnn, undefined, seed) });
      }
      return json({ error: { name: "TestError", message: `unknown path ${pathname}` } }, 404);
    } catch (e) {
      return json({ error: { name: e?.name, message: String(e?.message ?? e), stack: String(e?.stack ?? "") } }, 500);
    }
  },
};
