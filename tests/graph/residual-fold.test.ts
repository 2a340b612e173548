// A two-input Add fused into the Conv2D that makes one of its inputs
// (src/graph/rewrite.ts): the conv adds the other input in its epilogue and
// writes the Add's output. Checked taken (Add.forward never runs in predict,
// and an activation after the Add moves into the conv too), exact (equal,
// bit for bit, to the unrewritten graph that featureMaps runs, and to the
// same graph with the fusion blocked), across the pointwise path's row
// chunks and the general conv path, batch > 1, and not taken where the
// conv's output is needed or the conv already has an activation.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  Activation, Add, BatchNormalization, Conv2D, DepthwiseConv2D, init, input, Model, ReLU, type InitOptions,
  type SymbolicTensor,
} from "simdcnn";
import { BACKENDS, uniform } from "../parity/harness.js";

function lastMap(m: Model, x: Float32Array): number[] {
  const maps = m.featureMaps(x);
  return Array.from(maps[maps.length - 1]!.data);
}

/** Seeded weights for every layer, BatchNorm statistics away from 0 and 1. */
function seed(m: Model, s: number): void {
  for (const layer of m.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    layer.setWeights(ws.map((w, i) => {
      const u = uniform(w.length, s + 17 * i, 0.5);
      return layer instanceof BatchNormalization ? u.map((v) => 1 + v) : u;
    }));
    s += 101;
  }
}

/**
 * MobileNetV2's inverted-residual block, 16x16x8 -> expand 1x1 to 24 -> BN -> ReLU6 -> depthwise 3x3 -> BN ->
 * ReLU6 -> project 1x1 to 8 -> BN -> Add with the block input (the projection's rows run in several chunks
 * at batch 3: 768 rows of 8 floats). `bn` false leaves the BatchNorms out.
 */
function invertedResidual(bn: boolean, tail?: (y: SymbolicTensor, proj: SymbolicTensor) => SymbolicTensor[]): Model {
  const inp = input({ shape: [16, 16, 8] });
  const norm = (t: SymbolicTensor): SymbolicTensor => (bn ? new BatchNormalization().apply(t) : t);
  let x = new ReLU({ maxValue: 6 }).apply(norm(new Conv2D({ filters: 24, kernelSize: 1, useBias: !bn }).apply(inp)));
  x = new ReLU({ maxValue: 6 }).apply(norm(new DepthwiseConv2D({ kernelSize: 3, padding: "same", useBias: !bn }).apply(x)));
  const proj = norm(new Conv2D({ filters: 8, kernelSize: 1, useBias: !bn, name: "project" }).apply(x));
  const y = new Add({ name: "add" }).apply([inp, proj]);
  return new Model({ inputs: inp, outputs: tail ? tail(y, proj) : y });
}

/** A ResNet basic block on 7x9x5: conv 3x3 -> BN -> ReLU -> conv 3x3 -> BN -> Add -> ReLU (general conv path). */
function basicBlock(): Model {
  const inp = input({ shape: [7, 9, 5] });
  let x = new ReLU().apply(new BatchNormalization().apply(new Conv2D({ filters: 5, kernelSize: 3, padding: "same" }).apply(inp)));
  x = new BatchNormalization().apply(new Conv2D({ filters: 5, kernelSize: 3, padding: "same", useBias: false }).apply(x));
  return new Model({ inputs: inp, outputs: new ReLU({ name: "out" }).apply(new Add().apply([x, inp])) });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(BACKENDS)("Add fused into the Conv2D before it, on $name", ({ options }: { options: InitOptions }) => {
  beforeAll(async () => {
    await init(options);
  });

  it("is taken in an inverted-residual block: Add never runs, and predict equals the unrewritten graph exactly", () => {
    const m = invertedResidual(false);
    seed(m, 3);
    const x = uniform(3 * 16 * 16 * 8, 5);
    const add = vi.spyOn(Add.prototype, "forward");
    const fused = Array.from(m.predict(x).toArray());
    expect(add).not.toHaveBeenCalled();
    expect(fused).toEqual(lastMap(m, x));
    expect(add).toHaveBeenCalledTimes(1);
    m.dispose();
  });

  it("equals, bit for bit, the same graph with BatchNorm folded but the Add not fused", () => {
    const fusedModel = invertedResidual(true);
    // The projection also a model output: the Add cannot take over its buffer, so it runs.
    const plainModel = invertedResidual(true, (y, proj) => [y, proj]);
    seed(fusedModel, 7);
    plainModel.setWeights(fusedModel.getWeights());
    const x = uniform(3 * 16 * 16 * 8, 9);
    const add = vi.spyOn(Add.prototype, "forward");
    const fused = Array.from(fusedModel.predict(x).toArray());
    expect(add).not.toHaveBeenCalled();
    const [plain] = plainModel.predict(x) as ReturnType<Model["predict"]> & unknown[];
    expect(add).toHaveBeenCalledTimes(1);
    expect(fused).toEqual(Array.from((plain as { toArray(): Float32Array }).toArray()));
    // And close to the unrewritten graph (BatchNorm unfolded rounds differently).
    const want = lastMap(fusedModel, x);
    const worst = Math.max(...want.map((v, i) => Math.abs(v - fused[i]!)));
    expect(worst).toBeLessThan(1e-4 * Math.max(...want.map(Math.abs)));
    fusedModel.dispose();
    plainModel.dispose();
  });

  it("takes the ReLU after the Add too, on the general conv path (a ResNet block)", () => {
    const m = basicBlock();
    seed(m, 11);
    const x = uniform(2 * 7 * 9 * 5, 13);
    const add = vi.spyOn(Add.prototype, "forward");
    const relu = vi.spyOn(ReLU.prototype, "forward");
    const fused = Array.from(m.predict(x).toArray());
    expect(add).not.toHaveBeenCalled();
    expect(relu).not.toHaveBeenCalled(); // both ReLUs moved into conv epilogues
    const want = lastMap(m, x);
    const worst = Math.max(...want.map((v, i) => Math.abs(v - fused[i]!)));
    expect(worst).toBeLessThan(1e-4 * Math.max(...want.map(Math.abs)));
    expect(fused.some((v) => v === 0) && fused.some((v) => v > 0)).toBe(true); // the ReLU did clip
    m.dispose();
  });

  it("is not taken when the conv has its own activation", () => {
    const inp = input({ shape: [6, 6, 4] });
    const c = new Conv2D({ filters: 4, kernelSize: 1, activation: "relu" }).apply(inp);
    const m = new Model({ inputs: inp, outputs: new Activation({ activation: "tanh" }).apply(new Add().apply([c, inp])) });
    seed(m, 19);
    const x = uniform(2 * 6 * 6 * 4, 21);
    const add = vi.spyOn(Add.prototype, "forward");
    const y = Array.from(m.predict(x).toArray());
    expect(add).toHaveBeenCalledTimes(1);
    expect(y).toEqual(lastMap(m, x));
    m.dispose();
  });

  it("adds two conv branches in the later one: a projection shortcut", () => {
    const inp = input({ shape: [9, 7, 3] });
    const a = new Conv2D({ filters: 6, kernelSize: 3, strides: 2, padding: "same" }).apply(inp);
    const b = new Conv2D({ filters: 6, kernelSize: 1, strides: 2 }).apply(inp);
    const m = new Model({ inputs: inp, outputs: new Add().apply([a, b]) });
    seed(m, 23);
    const x = uniform(3 * 9 * 7 * 3, 29);
    const add = vi.spyOn(Add.prototype, "forward");
    const y = Array.from(m.predict(x).toArray());
    expect(add).not.toHaveBeenCalled();
    expect(y).toEqual(lastMap(m, x));
    m.dispose();
  });
});
