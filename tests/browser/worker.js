// A module worker running the README's worker example (with the bundle's
// URL in place of the bare "simdcnn", which a worker cannot resolve without
// a bundler): loadModel(url) fetching relative to the worker, the same model
// fetched by hand and passed as modelJson + shards, indexeddb:// in a
// worker, and downloads://, which needs a page, refused.
import * as lib from "/dist/browser.js";
import { INPUT_SHAPE } from "./scenario.js";

const bits = (f32) => Array.from(new Uint32Array(Float32Array.from(f32).buffer));

self.onmessage = async ({ data: { modelUrl, x, predictCount } }) => {
  try {
    await lib.init();
    const xs = Float32Array.from(x).subarray(0, predictCount * INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2]);
    const predict = (m) => bits(m.predict(xs).toArray());

    const fetchedByLoader = await lib.loadModel(modelUrl);
    const base = new URL(".", new URL(modelUrl, self.location.href));
    const modelJson = await (await fetch(new URL("model.json", base))).json();
    const shards = await Promise.all(modelJson.weightsManifest.flatMap((g) => g.paths)
      .map(async (p) => (await fetch(new URL(p, base))).arrayBuffer()));
    const fetchedByHand = await lib.loadModel(modelJson, shards);
    await fetchedByHand.save("indexeddb://in-worker");
    const kept = await lib.loadModel("indexeddb://in-worker");
    let downloads = null;
    try {
      await kept.save("downloads://in-worker");
    } catch (e) {
      downloads = { name: e.name, message: e.message };
    }
    const result = {
      byLoader: predict(fetchedByLoader), byHand: predict(fetchedByHand), fromIndexedDb: predict(kept), downloads,
    };
    for (const m of [fetchedByLoader, fetchedByHand, kept]) m.dispose();
    self.postMessage(result);
  } catch (e) {
    self.postMessage({ error: `${e.name}: ${e.message}` });
  }
};
