// The liveness planner: the pure placement (no two buffers alive at the same
// step share a byte; reuse where lifetimes allow), and the bytes models plan
// through the public API for a chain, a diamond and a fan-out, worked out by
// hand in the comments.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Add, Concatenate, Dense, init, input, Model, ReLU, Sequential } from "simdcnn";
import { placeBuffers, type LiveBuffer } from "../../src/graph/liveness.js";

const F32 = 4;

describe("placeBuffers (pure)", () => {
  it("a chain: the first and the third buffers share bytes", () => {
    expect(placeBuffers([{ size: 8, first: 0, last: 1 }, { size: 8, first: 1, last: 2 }, { size: 8, first: 2, last: 3 }]))
      .toEqual({ offsets: [0, 8, 0], total: 16 });
  });

  it("buffers alive at once never overlap, and sizes are 16-byte aligned", () => {
    const buffer = fc.record({ size: fc.integer({ min: 0, max: 50 }), first: fc.integer({ min: 0, max: 20 }),
      len: fc.integer({ min: 0, max: 8 }) }).map(({ size, first, len }): LiveBuffer => ({ size, first, last: first + len }));
    fc.assert(fc.property(fc.array(buffer, { maxLength: 30 }), (buffers) => {
      const { offsets, total } = placeBuffers(buffers);
      const extent = (b: LiveBuffer): number => Math.ceil(b.size / 4) * 4;
      buffers.forEach((a, i) => {
        expect(offsets[i]! % 4).toBe(0);
        expect(offsets[i]! + extent(a)).toBeLessThanOrEqual(total);
        buffers.forEach((b, j) => {
          if (j <= i || a.last < b.first || b.last < a.first) return;
          const apart = offsets[i]! + extent(a) <= offsets[j]! || offsets[j]! + extent(b) <= offsets[i]!;
          expect(apart || extent(a) === 0 || extent(b) === 0).toBe(true);
        });
      });
      // Never more than one block per buffer.
      expect(total).toBeLessThanOrEqual(buffers.reduce((n, b) => n + extent(b), 0));
    }));
  });
});

describe("planned activation bytes (public API)", () => {
  beforeAll(async () => {
    await init({ backend: "js" });
  });

  it("a chain 8 -> 16 -> 16 -> 4 needs 32 floats, not 44", () => {
    // input 8 [steps 0..1], d1 16 [1..2], d2 16 [2..3], d3 4 [3..end, an output].
    // Largest first: d1 at 0; d2 lives with d1 at step 2: at 16; the input lives with d1: at 16
    // (d2 is not yet alive); d3 lives with d2: at 0. Total 32 floats.
    const model = new Sequential([new Dense({ units: 16 }), new Dense({ units: 16 }), new Dense({ units: 4 })],
      { inputShape: [8] });
    expect(model.memory().activations).toBe(32 * F32);
    model.dispose();
  });

  it("a diamond: two branches from one input, joined by Add, written in place", () => {
    // input 8 [0..2], a 16 [1..3], b 16 [2..3], add writes over a (a's last reader), out 4 [4..end].
    // a at 0, b at 16 (alive with a), input at 32 (alive with a and b), out at 16 (b is dead by step 4).
    const x = input({ shape: [8] });
    const a = new Dense({ units: 16 }).apply(x);
    const b = new Dense({ units: 16 }).apply(x);
    const out = new Dense({ units: 4 }).apply(new Add().apply([a, b]));
    const model = new Model({ inputs: x, outputs: out });
    expect(model.memory().activations).toBe(40 * F32);
    model.dispose();
  });

  it("a fan-out kept alive across a branch: the skip tensor holds its block until the join", () => {
    // input 4 [0..1], s 32 [1..4], r = relu(s) must not write over s (s is read at step 4): r 32 [2..3],
    // d 32 [3..4], c = concat(s, d) 64 [4..end]. Peak: s + r + d at step 3 = 96, then s + d + c = 128.
    const x = input({ shape: [4] });
    const s = new Dense({ units: 32 }).apply(x);
    const r = new ReLU().apply(s);
    const d = new Dense({ units: 32 }).apply(r);
    const c = new Concatenate().apply([s, d]);
    const model = new Model({ inputs: x, outputs: c });
    expect(model.memory().activations).toBe(128 * F32);
    const y = model.predict(new Float32Array([1, -2, 3, -4])).toArray();
    expect(y.length).toBe(64);
    model.dispose();
  });
});
