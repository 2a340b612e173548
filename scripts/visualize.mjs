// `npm run visualize -- <image.png|jpg> [--model path/to/model.json] [--out dir]`:
// what a CNN saw in one image. Classifies the image with the model (default:
// the shipped LeNet, models/lenet/) and writes two pictures into `dir`
// (default ./visualize/):
//   feature-maps.png  the model's input, then one band per conv and pool layer (every
//                     channel of its output, featureMapGrid), then the predicted class
//                     and the top 3 probabilities;
//   kernels.png       the kernels of every Conv2D / DepthwiseConv2D (kernelGrid).
// Preprocessing, for a model trained on MNIST: loadImage decodes the file
// to RGBA; fromPixels mixes it to grey (tf.image.rgbToGrayscale's weights;
// RGB is kept for a 3-channel model), resizes it bilinearly to the model's
// input size (28x28 for LeNet) and scales it to 0..1. MNIST digits are white
// strokes on black, so an image whose mean brightness is above 0.5 (dark ink
// on paper) is inverted. Nothing else: MNIST also centres each digit by its
// centre of mass in a 20x20 box, so a photo with wide margins reads worse.
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pngjs from "pngjs";
import { featureMapGrid, fromPixels, init, kernelGrid, loadImage, loadModel } from "simdcnn";
import { Canvas, textHeight } from "./visualize/canvas.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const USAGE = "usage: npm run visualize -- <image.png|jpg> [--model path/to/model.json] [--out dir]";

const BACKGROUND = [16, 16, 24, 255];
const LABEL = [230, 230, 230, 255];
const MARGIN = 8;
/** Feature maps are zoomed to about this many pixels a side, so a 5x5 map is as readable as a 28x28 one. */
const CELL_PIXELS = 56;

function parseArgs(argv) {
  const options = { image: null, model: join(ROOT, "models", "lenet", "model.json"), out: resolve("visualize") };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if ((arg === "--model" || arg === "--out") && argv[i + 1] !== undefined) options[arg.slice(2)] = resolve(argv[++i]);
    else if (!arg.startsWith("--") && options.image === null) options.image = arg;
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (options.image === null) throw new Error(USAGE);
  if (!options.model.endsWith(".json")) options.model = join(options.model, "model.json");
  return options;
}

/** The model input as the model sees it, [1, h, w, c] floats in 0..1, and whether it was inverted. */
async function preprocess(path, [height, width, channels]) {
  const x = fromPixels(await loadImage(path), { channels, resize: [height, width] });
  const values = x.toArray();
  x.dispose();
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const inverted = mean > 0.5;
  if (inverted) for (let i = 0; i < values.length; i++) values[i] = 1 - values[i];
  return { values, inverted };
}

/** The input drawn as it went in (grey or RGB), zoomed. */
function inputImage(values, [height, width, channels], zoom) {
  const image = { width: width * zoom, height: height * zoom, data: new Uint8ClampedArray(width * height * zoom * zoom * 4) };
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const src = ((Math.floor(y / zoom) * width) + Math.floor(x / zoom)) * channels;
      const rgb = channels === 1 ? [values[src], values[src], values[src]] : [values[src], values[src + 1], values[src + 2]];
      image.data.set([...rgb.map((v) => v * 255), 255], (y * image.width + x) * 4);
    }
  }
  return image;
}

/** Labelled images stacked top to bottom, then lines of text. */
function stack(bands, lines) {
  const lineHeight = textHeight() + 6;
  const width = MARGIN * 2 + Math.max(...bands.map((b) => Math.max(b.image.width, b.label.length * 8)),
    ...lines.map((l) => l.length * 8));
  const height = MARGIN + bands.reduce((h, b) => h + lineHeight + b.image.height + MARGIN * 2, 0) + lines.length * lineHeight;
  const canvas = new Canvas(width, height, BACKGROUND);
  let y = MARGIN;
  for (const { label, image } of bands) {
    canvas.text(label, MARGIN, y, LABEL);
    y += lineHeight;
    canvas.paste(image, MARGIN, y);
    y += image.height + MARGIN * 2;
  }
  for (const line of lines) {
    canvas.text(line, MARGIN, y, LABEL);
    y += lineHeight;
  }
  return canvas;
}

const percent = (p) => `${(p * 100).toFixed(1)}%`;

async function writePng(path, { width, height, data }) {
  const png = new pngjs.PNG({ width, height });
  png.data.set(data);
  await writeFile(path, pngjs.PNG.sync.write(png));
}

const options = parseArgs(process.argv.slice(2));
await init();
const model = await loadModel(options.model);
const shape = model.inputShape;
const { values, inverted } = await preprocess(options.image, shape);

const probs = model.predict(values).toArray();
const top = [...probs].map((p, k) => ({ p, k })).sort((a, b) => b.p - a.p).slice(0, 3);
console.log(`${options.image}: predicted class ${top[0].k} with probability ${percent(top[0].p)}` +
  (inverted ? " (inverted: dark on light)" : ""));
console.log(`top 3: ${top.map(({ k, p }) => `${k} ${percent(p)}`).join(", ")}`);

const bands = [{ label: `input ${shape.join("x")}${inverted ? " inverted" : ""}`,
  image: inputImage(values, shape, Math.max(1, Math.round(CELL_PIXELS * 2 / shape[0]))) }];
for (const map of model.featureMaps(values)) {
  if (!/Conv|Pool/.test(map.className)) continue;
  const cellSize = map.shape.length === 4 ? Math.max(1, Math.round(CELL_PIXELS / map.shape[1])) : 8;
  bands.push({ label: `${map.layer} ${map.shape.slice(1).join("x")}`, image: featureMapGrid(map, { cellSize }) });
}
const lines = [`predicted ${top[0].k}`, ...top.map(({ k, p }) => `${k}: ${percent(p)}`)];

const convs = model.layers.filter((l) => l.className === "Conv2D" || l.className === "DepthwiseConv2D");
const kernels = convs.map((layer) => ({
  label: `${layer.name} ${layer.filters === undefined ? "" : `${layer.filters} filters `}${layer.kernelSize.join("x")}`,
  image: kernelGrid(layer, { cellSize: Math.max(2, Math.round(40 / layer.kernelSize[0])) }),
}));

await mkdir(options.out, { recursive: true });
const files = [["feature-maps.png", stack(bands, lines)], ["kernels.png", stack(kernels, [])]];
for (const [name, canvas] of files) await writePng(join(options.out, name), canvas);
console.log(`wrote ${files.map(([name, c]) => `${join(options.out, name)} (${c.width}x${c.height})`).join(" and ")}`);
model.dispose();
