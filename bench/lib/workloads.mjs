// The workload list: what each row of the table measures, its FLOP count,
// its unit, and its inputs. Quick mode keeps the rows flagged `quick`.

import { randomArray, windowAxis } from "./data.mjs";
import { LENET5, RESNET8, SMALL_VGG, describeModel, mobileNetV2, modelWeights } from "./models.mjs";

function gemm(m, k, n, { dense = false, quick = false } = {}) {
  return {
    id: dense ? `dense-${m}x${k}x${n}` : `gemm-${m}`,
    label: dense ? `Dense ${m}x${k}x${n} +bias relu` : `GEMM ${m}^3`,
    kind: "gemm",
    m, k, n,
    // Dense rows carry what a Dense layer fuses; square rows are the bare product.
    bias: dense,
    activation: dense ? "relu" : "linear",
    flops: 2 * m * n * k,
    unit: "GFLOP/s",
    quick,
  };
}

export function conv(batch, h, w, cin, cout, kernel, padding, { quick = false } = {}) {
  const rows = windowAxis(h, kernel, 1, padding);
  const cols = windowAxis(w, kernel, 1, padding);
  return {
    id: `conv-${batch > 1 ? `b${batch}-` : ""}${h}x${w}x${cin}-${cout}-k${kernel}${padding === "valid" ? "v" : ""}`,
    label: `Conv ${kernel}x${kernel} ${padding} ${batch > 1 ? `${batch}x` : ""}${h}x${w}x${cin}->${cout} +bias relu`,
    kind: "conv",
    batch, h, w, cin, cout, kh: kernel, kw: kernel, stride: 1, padding,
    oh: rows.out, ow: cols.out, padTop: rows.before, padLeft: cols.before,
    pads: [rows.before, cols.before, rows.after, cols.after],
    activation: "relu",
    bias: true,
    flops: 2 * rows.out * cols.out * cout * kernel * kernel * cin * batch,
    unit: "GFLOP/s",
    quick,
  };
}

/**
 * DepthwiseConv2D (Keras): each of the `c` channels convolved with its own
 * kernel x kernel filter (depth multiplier 1), bias and relu fused, as a
 * MobileNetV2 block's 3x3 stage. Memory-bound, so the row also carries
 * `bytes` (input + output + weights + bias, each read or written once) and
 * prints GB/s next to GFLOP/s.
 */
function depthwise(batch, h, w, c, kernel, stride, padding, { quick = false } = {}) {
  const rows = windowAxis(h, kernel, stride, padding);
  const cols = windowAxis(w, kernel, stride, padding);
  const multiplier = 1;
  const cout = c * multiplier;
  const floats = batch * h * w * c + batch * rows.out * cols.out * cout + kernel * kernel * cout + cout;
  return {
    id: `depthwise-${batch > 1 ? `b${batch}-` : ""}${h}x${w}x${c}-k${kernel}-s${stride}${padding === "valid" ? "v" : ""}`,
    label: `DepthwiseConv ${kernel}x${kernel} ${padding} s${stride} ${batch > 1 ? `${batch}x` : ""}${h}x${w}x${c} +bias relu`,
    kind: "depthwise",
    batch, h, w, cin: c, cout, multiplier, kh: kernel, kw: kernel, stride, padding,
    oh: rows.out, ow: cols.out, padTop: rows.before, padLeft: cols.before,
    pads: [rows.before, cols.before, rows.after, cols.after],
    activation: "relu",
    bias: true,
    flops: 2 * rows.out * cols.out * cout * kernel * kernel * batch,
    bytes: 4 * floats,
    unit: "GFLOP/s",
    quick,
  };
}

function maxPool(batch, h, w, c, pool) {
  const oh = Math.floor(h / pool);
  const ow = Math.floor(w / pool);
  return {
    id: `maxpool-${h}x${w}x${c}`,
    label: `MaxPool ${pool}x${pool} ${h}x${w}x${c}`,
    kind: "maxpool",
    batch, h, w, c, pool, stride: pool, oh, ow,
    // One op per window element read, so the unit stays comparable across rows.
    flops: batch * oh * ow * c * pool * pool,
    unit: "Gop/s",
    quick: false,
  };
}

function model(spec, batch, { quick = false, id = spec.name.toLowerCase().replace(/[^a-z0-9]+/g, "") } = {}) {
  const described = describeModel(spec);
  return {
    id: `model-${id}-b${batch}`,
    label: `${spec.name} batch ${batch}${batch === 1 ? " (latency)" : ""}`,
    kind: "model",
    spec: described,
    batch,
    flops: described.flopsPerImage * batch,
    unit: batch === 1 ? "ms" : "img/s",
    quick,
  };
}

/** Every workload, smallest first within each family (slow contestants get skipped by estimate). */
export function allWorkloads() {
  return [
    gemm(64, 64, 64),
    gemm(128, 128, 128),
    gemm(256, 256, 256, { quick: true }),
    gemm(512, 512, 512),
    gemm(1024, 1024, 1024),
    gemm(1, 784, 128, { dense: true, quick: true }),
    gemm(32, 784, 128, { dense: true }),
    gemm(1, 3136, 512, { dense: true }),
    conv(1, 28, 28, 1, 6, 5, "valid"),
    conv(1, 28, 28, 1, 32, 3, "same"),
    conv(1, 32, 32, 3, 32, 3, "same", { quick: true }),
    conv(1, 32, 32, 32, 64, 3, "same"),
    conv(32, 28, 28, 1, 32, 3, "same"),
    conv(1, 56, 56, 64, 64, 3, "same", { quick: true }),
    conv(1, 112, 112, 32, 64, 3, "same"),
    // Before the pooling row, so the models' slow-contestant estimates
    // (which read the previous row's rate) are what they were without them.
    depthwise(1, 112, 112, 96, 3, 2, "same", { quick: true }),
    depthwise(1, 112, 112, 96, 3, 1, "same", { quick: true }),
    maxPool(1, 56, 56, 64, 2),
    model(LENET5, 1, { quick: true }),
    model(LENET5, 64, { quick: true }),
    model(SMALL_VGG, 1),
    model(SMALL_VGG, 64),
    model(RESNET8, 1),
    model(RESNET8, 64),
    model(mobileNetV2({ alpha: 0.35, size: 96 }), 1, { id: "mobilenetv2-035-96" }),
    model(mobileNetV2({ alpha: 1, size: 224 }), 1, { id: "mobilenetv2-100-224" }),
    model(mobileNetV2({ alpha: 1, size: 224 }), 8, { id: "mobilenetv2-100-224" }),
  ];
}

/**
 * The inputs of one workload, NHWC / Keras layouts, deterministic per id.
 * gemm: a [m,k], b [k,n], bias [n]; conv: x, w [kh,kw,cin,cout], bias;
 * depthwise: x, w [kh,kw,cin,multiplier] (Keras depthwise_kernel), bias [cout];
 * maxpool: x; model: x, weights (Keras order).
 */
export function workloadData(wl) {
  let seed = 0;
  for (const ch of wl.id) seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
  switch (wl.kind) {
    case "gemm":
      return {
        a: randomArray(wl.m * wl.k, seed + 1),
        b: randomArray(wl.k * wl.n, seed + 2, 1 / Math.sqrt(wl.k)),
        bias: randomArray(wl.n, seed + 3, 0.1),
      };
    case "conv":
      return {
        x: randomArray(wl.batch * wl.h * wl.w * wl.cin, seed + 1),
        w: randomArray(wl.kh * wl.kw * wl.cin * wl.cout, seed + 2, 1 / Math.sqrt(wl.kh * wl.kw * wl.cin)),
        bias: randomArray(wl.cout, seed + 3, 0.1),
      };
    case "depthwise":
      return {
        x: randomArray(wl.batch * wl.h * wl.w * wl.cin, seed + 1),
        w: randomArray(wl.kh * wl.kw * wl.cin * wl.multiplier, seed + 2, 1 / Math.sqrt(wl.kh * wl.kw)),
        bias: randomArray(wl.cout, seed + 3, 0.1),
      };
    case "maxpool":
      return { x: randomArray(wl.batch * wl.h * wl.w * wl.c, seed + 1) };
    case "model": {
      const [h, w, c] = wl.spec.inputShape;
      return { x: randomArray(wl.batch * h * w * c, seed + 1), weights: modelWeights(wl.spec, seed + 2) };
    }
    default:
      throw new Error(`bench: unknown workload kind ${wl.kind}`);
  }
}

/** Number of output floats a contestant must produce (NHWC). */
export function outputLength(wl) {
  switch (wl.kind) {
    case "gemm": return wl.m * wl.n;
    case "conv":
    case "depthwise": return wl.batch * wl.oh * wl.ow * wl.cout;
    case "maxpool": return wl.batch * wl.oh * wl.ow * wl.c;
    case "model": return wl.batch * wl.spec.outputShape[0];
    default: throw new Error(`bench: unknown workload kind ${wl.kind}`);
  }
}
