// A ZeroPadding2D read only by a Conv2D or DepthwiseConv2D folds into it at
// inference (src/graph/rewrite.ts): the padding node becomes a view and the
// convolution pads the unpadded image itself. Checked taken (the padding
// layer's forward never runs in predict, and no buffer is planned for the
// padded image: the plan is the size of a 'same' conv's), exact (predict
// equals the unrewritten graph that featureMaps runs, and a 'same' conv with
// the same weights), and not taken where the padded image is needed.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  Conv2D, Dense, DepthwiseConv2D, Flatten, init, input, Model, ZeroPadding2D, type InitOptions,
} from "simdcnn";
import { BACKENDS, uniform } from "../parity/harness.js";

function lastMap(m: Model, x: Float32Array): number[] {
  const maps = m.featureMaps(x);
  return Array.from(maps[maps.length - 1]!.data);
}

/** input -> ZeroPadding2D (asymmetric) -> Conv2D 'valid' -> ZeroPadding2D -> DepthwiseConv2D stride 2 -> Dense. */
function chain(): Model {
  const inp = input({ shape: [7, 6, 3] });
  let x = new ZeroPadding2D({ padding: [[1, 2], [2, 0]] }).apply(inp);
  x = new Conv2D({ filters: 4, activation: "relu" }).apply(x);
  x = new ZeroPadding2D({ padding: [[0, 1], [0, 1]] }).apply(x);
  x = new DepthwiseConv2D({ kernelSize: 3, strides: 2, depthMultiplier: 2 }).apply(x);
  return new Model({ inputs: inp, outputs: new Dense({ units: 3 }).apply(new Flatten().apply(x)) });
}

/** ZeroPadding2D(1) + 'valid' 3x3 and a 'same' 3x3 conv are one function; `padded` picks the form. */
function samePair(padded: boolean): Model {
  const inp = input({ shape: [8, 9, 2] });
  const x = padded ? new ZeroPadding2D().apply(inp) : inp;
  const y = new Conv2D({ filters: 5, padding: padded ? "valid" : "same", name: "conv" }).apply(x);
  return new Model({ inputs: inp, outputs: y });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(BACKENDS)("ZeroPadding2D folded into the conv after it, on $name", ({ options }: { options: InitOptions }) => {
  beforeAll(async () => {
    await init(options);
  });

  it("is taken: the padding never runs in predict, and the result equals the unrewritten graph exactly", () => {
    const m = chain();
    const x = uniform(2 * 7 * 6 * 3, 5);
    const spy = vi.spyOn(ZeroPadding2D.prototype, "forward");
    const folded = Array.from(m.predict(x).toArray());
    expect(spy).not.toHaveBeenCalled();
    const plain = lastMap(m, x);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(folded).toEqual(plain);
    m.dispose();
  });

  it("plans no buffer for the padded image, and equals a 'same' conv with the same weights", () => {
    const [a, b] = [samePair(true), samePair(false)];
    b.getLayer("conv").setWeights(a.getLayer("conv").getWeights());
    const x = uniform(3 * 8 * 9 * 2, 8);
    const ya = Array.from(a.predict(x).toArray());
    expect(ya).toEqual(Array.from(b.predict(x).toArray()));
    expect(a.memory().activations).toBe(b.memory().activations);
    expect(ya).toEqual(lastMap(a, x));
    a.dispose();
    b.dispose();
  });

  it("is not taken when the padded image is read by another layer or is a model output", () => {
    const inp = input({ shape: [5, 5, 2] });
    const padded = new ZeroPadding2D({ padding: [1, 2] }).apply(inp);
    const conv = new Conv2D({ filters: 2 }).apply(padded);
    const twice = new Model({ inputs: inp, outputs: [conv, padded] });
    const x = uniform(5 * 5 * 2, 3);
    const spy = vi.spyOn(ZeroPadding2D.prototype, "forward");
    const [y, p] = twice.predict(x).map((t) => Array.from(t.toArray()));
    expect(spy).toHaveBeenCalledTimes(1);
    const maps = twice.featureMaps(x);
    expect(p).toEqual(Array.from(maps.find((f) => f.className === "ZeroPadding2D")!.data));
    expect(y).toEqual(Array.from(maps.find((f) => f.className === "Conv2D")!.data));
    twice.dispose();
  });
});
