// The page side of the model storage tests (chromium.test.ts): saving to
// indexeddb:// and downloads://, loading from IndexedDB and from an
// <input type="file">, resuming training through IndexedDB, and tfjs reading
// and writing the same IndexedDB records. Plain JavaScript served as is to
// the page (types in storage-scenario.d.ts); float32 results travel as their
// bit patterns, as in scenario.js.
import { buildModel, INPUT_SHAPE } from "./scenario.js";

const SAMPLE = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];

function bits(f32) {
  return Array.from(new Uint32Array(Float32Array.from(f32).buffer));
}

/** The scenario's model with the given weights, on the default backend. */
async function modelWith(lib, weights) {
  await lib.init();
  const model = buildModel(lib);
  model.setWeights(weights.map((w) => Float32Array.from(w)));
  return model;
}

const firstSamples = (x, count) => Float32Array.from(x).subarray(0, count * SAMPLE);

function request(r) {
  return new Promise((ok, fail) => {
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
}

/** What IndexedDB holds for `name`, read with the plain API (not the library's): the layout, no data. */
async function describeRecord(name) {
  const db = await request(indexedDB.open("tensorflowjs"));
  try {
    const stores = Array.from(db.objectStoreNames).sort();
    const tx = db.transaction(stores, "readonly");
    const keyPaths = stores.map((s) => tx.objectStore(s).keyPath);
    const model = await request(tx.objectStore("models_store").get(name));
    const info = await request(tx.objectStore("model_info_store").get(name));
    const a = model.modelArtifacts;
    const { dateSaved, ...sizes } = info.modelArtifactsInfo;
    return {
      version: db.version, stores, keyPaths,
      modelKeys: Object.keys(model).sort(),
      artifactKeys: Object.keys(a).sort(),
      weightDataIsArrayBuffer: a.weightData instanceof ArrayBuffer,
      weightDataBytes: a.weightData.byteLength,
      weightSpecNames: a.weightSpecs.map((s) => s.name),
      topologyClass: a.modelTopology.class_name,
      infoKeys: Object.keys(info).sort(),
      dateSavedIsDate: dateSaved instanceof Date,
      sizes,
    };
  } finally {
    db.close();
  }
}

/** Predict, save to indexeddb://name, load it back, predict again. */
export async function indexedDbRoundTrip(lib, { weights, x, predictCount, name }) {
  const model = await modelWith(lib, weights);
  const xs = firstSamples(x, predictCount);
  const predictions = bits(model.predict(xs).toArray());
  const saved = await model.save(`indexeddb://${name}`);
  model.dispose();
  const loaded = await lib.loadModel(`indexeddb://${name}`);
  try {
    return {
      files: saved.files,
      predictions,
      loadedPredictions: bits(loaded.predict(xs).toArray()),
      record: await describeRecord(name),
    };
  } finally {
    loaded.dispose();
  }
}

/** How loadModel fails for a name IndexedDB does not hold. */
export async function loadMissing(lib, name) {
  await lib.init();
  try {
    (await lib.loadModel(`indexeddb://${name}`)).dispose();
    return { rejected: false };
  } catch (e) {
    return { rejected: true, name: e.name, message: e.message };
  }
}

/** Predict, then save to downloads://name (the test catches the two downloads). */
export async function saveDownloads(lib, { weights, x, predictCount, name }) {
  const model = await modelWith(lib, weights);
  try {
    const predictions = bits(model.predict(firstSamples(x, predictCount)).toArray());
    const saved = await model.save(`downloads://${name}`);
    return { predictions, files: saved.files, manifestPaths: saved.modelJson.weightsManifest.map((g) => g.paths) };
  } finally {
    model.dispose();
  }
}

/** loadModel(input.files) on the page's <input type="file" id="model-files">, then predict. */
export async function loadPickedFiles(lib, { x, predictCount }) {
  await lib.init();
  const input = document.getElementById("model-files");
  const names = Array.from(input.files, (f) => f.name);
  const model = await lib.loadModel(input.files);
  try {
    return { names, predictions: bits(model.predict(firstSamples(x, predictCount)).toArray()) };
  } finally {
    model.dispose();
  }
}

/**
 * Adam, 2 trainOnBatch steps, then one fit epoch: uninterrupted; with a save
 * to indexeddb:// (optimizer state included) and a reload before the fit;
 * and the same reload without the optimizer state. Returns the final weights of each.
 */
export async function resumeThroughIndexedDb(lib, { weights, x, labels, name }) {
  const xs = Float32Array.from(x);
  const ys = Int32Array.from(labels);
  const batchSize = labels.length;
  const compiled = async () => {
    const m = await modelWith(lib, weights);
    await m.compile({ optimizer: new lib.Adam({ learningRate: 0.01 }), loss: "sparseCategoricalCrossentropy" });
    for (let i = 0; i < 2; i++) m.trainOnBatch(xs, ys);
    return m;
  };
  const finish = async (m) => {
    await m.fit(xs, ys, { epochs: 1, batchSize, shuffle: false });
    const w = m.getWeights().map(bits);
    m.dispose();
    return w;
  };
  const straight = await finish(await compiled());
  const first = await compiled();
  const beforeFit = first.getWeights().map(bits);
  await first.save(`indexeddb://${name}`, { includeOptimizer: true });
  await first.save(`indexeddb://${name}-bare`);
  first.dispose();
  const resumed = await finish(await lib.loadModel(`indexeddb://${name}`));
  // Without the state the reload is compiled (trainingConfig) with a fresh Adam.
  const restarted = await finish(await lib.loadModel(`indexeddb://${name}-bare`));
  return { straight, resumed, restarted, beforeFit };
}

/** tfjs (the UMD bundles on `tf`) loads our indexeddb:// save and predicts; returns its float outputs. */
export async function tfjsLoadsOurs(lib, tf, { weights, x, predictCount, name }) {
  const model = await modelWith(lib, weights);
  const xs = firstSamples(x, predictCount);
  const ours = Array.from(model.predict(xs).toArray());
  await model.save(`indexeddb://${name}`);
  model.dispose();
  await tf.setBackend("cpu");
  const theirs = await tf.loadLayersModel(`indexeddb://${name}`);
  const y = theirs.predict(tf.tensor(Array.from(xs), [predictCount, ...INPUT_SHAPE]));
  const tfjs = Array.from(await y.data());
  theirs.dispose();
  return { ours, tfjs };
}

/** tfjs builds and saves a model to indexeddb://name; we load it and both predict. */
export async function oursLoadsTfjs(lib, tf, { x, predictCount, name }) {
  await tf.setBackend("cpu");
  const theirs = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: INPUT_SHAPE, filters: 4, kernelSize: 3, activation: "relu" }),
      tf.layers.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, padding: "same" }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: "softmax" }),
    ],
  });
  theirs.setWeights(theirs.getWeights().map((w, i) =>
    tf.tensor(Array.from({ length: w.size }, (_v, j) => 0.2 * Math.sin(3 * i + j)), w.shape)));
  await theirs.save(`indexeddb://${name}`);
  const xs = firstSamples(x, predictCount);
  const tfjs = Array.from(await theirs.predict(tf.tensor(Array.from(xs), [predictCount, ...INPUT_SHAPE])).data());
  theirs.dispose();
  await lib.init();
  const model = await lib.loadModel(`indexeddb://${name}`);
  try {
    return { ours: Array.from(model.predict(xs).toArray()), tfjs };
  } finally {
    model.dispose();
  }
}
