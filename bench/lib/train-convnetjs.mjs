// ConvNetJS training contestant: a convnetjs.Net from the same layer list
// and its SGD Trainer with batch_size 32, which accumulates gradients over
// 32 train(vol, label) calls and updates on the 32nd; one step = 32 calls.
// ConvNetJS keeps its own weight layout and initialization, so it is timed
// but not compared (its samples are converted to Vols outside the timing).

import { createRequire } from "node:module";
import { LEARNING_RATE } from "./train-workloads.mjs";

const require = createRequire(import.meta.url);

/** ConvNetJS layer definitions for a models.mjs spec ('same' = pad (k-1)/2). */
function layerDefs(spec) {
  const [h, w, c] = spec.inputShape;
  const defs = [{ type: "input", out_sx: w, out_sy: h, out_depth: c }];
  const layers = spec.layers;
  layers.forEach((l, i) => {
    const last = i === layers.length - 1;
    switch (l.type) {
      case "conv":
        if (l.padding === "same" && l.kernel % 2 === 0) throw new Error("ConvNetJS: 'same' needs an odd kernel");
        defs.push({
          type: "conv", sx: l.kernel, filters: l.filters, stride: 1,
          pad: l.padding === "same" ? (l.kernel - 1) / 2 : 0, activation: l.activation,
        });
        break;
      case "maxpool":
        defs.push({ type: "pool", sx: l.pool, stride: l.pool });
        break;
      case "flatten":
        break; // ConvNetJS fc layers read any volume as a vector
      case "dense":
        // Its softmax layer brings its own fc layer in front.
        if (last && l.activation === "softmax") defs.push({ type: "softmax", num_classes: l.units });
        else defs.push({ type: "fc", num_neurons: l.units, activation: l.activation });
        break;
      default:
        throw new Error(`bench: unknown layer ${l.type}`);
    }
  });
  return defs;
}

export function convnetjsTrainer() {
  let convnetjs = null;
  return {
    id: "convnetjs",
    label: "ConvNetJS",
    group: "peer",
    checkable: false,
    async setup() {
      convnetjs = require("convnetjs");
      return `convnetjs ${require("convnetjs/package.json").version} (Net + Trainer sgd, momentum 0)`;
    },
    supports(wl) {
      // A graph model (ResNet-8) needs a residual Add and BatchNormalization; ConvNetJS has neither.
      return wl?.spec.graph ? "n/a (ConvNetJS has no residual Add and no BatchNormalization layer)" : true;
    },
    async prepare(wl, data) {
      const net = new convnetjs.Net();
      net.makeLayers(layerDefs(wl.spec));
      // momentum 0: ConvNetJS defaults to 0.9, every other contestant runs plain SGD.
      const trainer = new convnetjs.Trainer(net, {
        method: "sgd", learning_rate: LEARNING_RATE, batch_size: wl.batch, l2_decay: 0, momentum: 0,
      });
      // Vol(sx, sy, depth) stores w[((sx * y) + x) * depth + d]: one NHWC
      // sample is already in that order.
      const [h, w, c] = wl.spec.inputShape;
      const size = h * w * c;
      const vols = Array.from({ length: wl.batch }, (_, i) => {
        const vol = new convnetjs.Vol(w, h, c, 0);
        vol.w.set(data.x.subarray(i * size, (i + 1) * size));
        return vol;
      });
      const labels = Array.from(data.labels);
      return {
        step() {
          for (let i = 0; i < vols.length; i++) trainer.train(vols[i], labels[i]);
        },
        weights: () => null,
      };
    },
  };
}
