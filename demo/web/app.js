// The page: a drawing pad classified as it is drawn (at most once per
// animation frame), the feature maps and kernels of the model in use, and a
// training run in a Web Worker whose model can be saved to IndexedDB and
// then used for the pad. The model the repository ships (models/lenet/) is
// the one in use when the page opens.
import { capabilities, featureMapGrid, fromPixels, init, kernelGrid, loadModel } from "simdcnn";
import { drawingPad } from "./pad.js";
import { DIGIT_SIZE, mnistDigit } from "./preprocess.js";
import { drawGrey, drawRgba, lossCurve, pictureStrip, probabilityBars } from "./views.js";

const SHIPPED = "models/lenet/model.json";
const SAVED = "indexeddb://simdcnn-demo-lenet";
const SHIPPED_NAME = "shipped LeNet (models/lenet/)";
const SAVED_NAME = `trained here, loaded from ${SAVED}`;
/** Feature maps are zoomed to about this many pixels a side, so a 5x5 map reads as well as a 28x28 one. */
const MAP_PIXELS = 56;

const $ = (id) => document.getElementById(id);
const page = document.documentElement;
let model = null;
let framePending = false;
/** Whether IndexedDB holds a model this page trained, now or on an earlier visit. */
let savedExists = false;

const showBars = probabilityBars($("probabilities"), 10);
const showMaps = pictureStrip($("feature-maps"));
const pad = drawingPad($("pad"), () => {
  // Classify once per frame however many pointer events arrive.
  if (framePending) return;
  framePending = true;
  requestAnimationFrame(() => {
    framePending = false;
    classify();
  });
});

function classify() {
  const image = pad.pixels();
  const digit = mnistDigit(image.width, image.height, (i) => image.data[i * 4]);
  drawGrey($("input28"), digit, DIGIT_SIZE);
  const x = fromPixels({ data: digit ?? new Uint8Array(DIGIT_SIZE * DIGIT_SIZE), width: DIGIT_SIZE, height: DIGIT_SIZE },
    { channels: 1 });
  const maps = model.featureMaps(x);
  x.dispose();
  const probs = digit === null ? null : Array.from(maps[maps.length - 1].data);
  const best = probs === null ? -1 : probs.indexOf(Math.max(...probs));
  $("prediction").textContent = best < 0 ? "–" : String(best);
  $("confidence").textContent = best < 0 ? "" : `(${(probs[best] * 100).toFixed(1)}%)`;
  showBars(probs);
  showMaps(maps.filter((m) => m.shape.length === 4 && /Conv|Pool|ReLU|Activation/.test(m.className)).map((m) => ({
    label: `${m.layer} (${m.className}${activationOf(m.layer)}) ${m.shape.slice(1).join("x")}`,
    image: featureMapGrid(m, { cellSize: Math.max(1, Math.round(MAP_PIXELS / m.shape[1])) }),
  })));
}

/** " + relu" for a layer whose output is already activated (a conv's fused activation), else "". */
function activationOf(layerName) {
  const name = model.getLayer(layerName).activation?.name;
  return name === undefined || name === "linear" || name === "softmax" ? "" : ` + ${name}`;
}

/** Puts `next` in use for the pad (disposing the one before) and redraws everything it shows. */
function useModel(next, name) {
  model?.dispose();
  model = next;
  const conv = model.layers.find((l) => l.className === "Conv2D");
  drawRgba($("kernels"), kernelGrid(conv, { cellSize: 8 }));
  $("model-name").textContent = name;
  $("use-shipped").disabled = name === SHIPPED_NAME;
  $("use-saved").disabled = name === SAVED_NAME || !savedExists;
  classify();
}

// Training: the worker trains and saves; this thread only draws what it reports, once per frame.
const curve = lossCurve($("loss-curve"));
let worker = null;
let curveDirty = false;
const redrawCurve = () => {
  if (curveDirty) curve.draw();
  curveDirty = false;
};

function onWorkerMessage({ data }) {
  const status = $("train-status");
  if (data.type === "loaded") {
    $("train-count").textContent = data.train.toLocaleString("en");
    $("test-count").textContent = data.test.toLocaleString("en");
    status.textContent = `Training on ${data.train.toLocaleString("en")} digits (${data.backend} backend in the worker)…`;
  } else if (data.type === "batch") {
    if (data.epoch === 0 && data.batch === 0) curve.reset(data.batches, data.epochs);
    curve.add(data.loss);
    $("train-progress").value = (data.epoch * data.batches + data.batch + 1) / (data.epochs * data.batches);
    if (!curveDirty) requestAnimationFrame(redrawCurve);
    curveDirty = true;
  } else if (data.type === "epoch") {
    status.textContent = `Epoch ${data.epoch + 1}/${data.epochs}: loss ${data.loss.toFixed(3)}, ` +
      `training accuracy ${(data.accuracy * 100).toFixed(1)}%, held-out accuracy ${(data.testAccuracy * 100).toFixed(1)}%`;
  } else if (data.type === "done") {
    status.textContent += `. Trained in ${data.seconds.toFixed(1)} s.`;
    page.dataset.training = "done";
    $("train").disabled = false;
    $("save").disabled = false;
  } else if (data.type === "saved") {
    savedExists = true;
    loadModel(SAVED).then((saved) => {
      useModel(saved, SAVED_NAME);
      status.textContent += ` Saved to ${SAVED}; the pad uses it now.`;
      page.dataset.training = "saved";
    }, fail);
  } else if (data.type === "error") {
    fail(new Error(`training worker: ${data.message}`));
  }
}

$("train").addEventListener("click", () => {
  worker ??= new Worker(new URL("./train-worker.js", import.meta.url), { type: "module" });
  worker.onmessage = onWorkerMessage;
  worker.onerror = (e) => fail(new Error(`training worker: ${e.message}`));
  const epochs = Math.min(20, Math.max(1, Math.round(Number($("epochs").value) || 1)));
  $("train").disabled = true;
  $("save").disabled = true;
  $("train-progress").value = 0;
  $("train-status").textContent = "Loading the digits…";
  page.dataset.training = "running";
  worker.postMessage({ type: "train", epochs });
});
$("save").addEventListener("click", () => {
  $("save").disabled = true;
  worker.postMessage({ type: "save", url: SAVED });
});
$("use-shipped").addEventListener("click", () => loadModel(SHIPPED).then((m) => useModel(m, SHIPPED_NAME), fail));
$("use-saved").addEventListener("click", () => loadModel(SAVED).then((m) => useModel(m, SAVED_NAME), fail));
$("clear").addEventListener("click", () => pad.clear());

function fail(e) {
  $("status").textContent = `Something went wrong: ${e.message}`;
  page.dataset.state = "failed";
  throw e;
}

try {
  await init();
  $("backend").textContent = `${capabilities().backend}: ${capabilities().reason}`;
  // A model saved on an earlier visit is offered, not used: the shipped one is the default.
  savedExists = await loadModel(SAVED).then((m) => (m.dispose(), true), (e) => {
    if (/holds no model of that name/.test(e.message)) return false;
    throw e;
  });
  useModel(await loadModel(SHIPPED), SHIPPED_NAME);
  $("status").textContent = "Ready.";
  page.dataset.state = "ready";
} catch (e) {
  fail(e);
}
