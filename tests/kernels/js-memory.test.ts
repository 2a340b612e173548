// The plain-JS linear memory behaves like WebAssembly.Memory where the arena
// relies on it: grow returns the old size, replaces the buffer, keeps the
// contents, and throws RangeError past the maximum.

import { describe, expect, it } from "vitest";
import { createJsKernels } from "../../src/backend/js.js";
import { JsMemory, PAGE_BYTES } from "../../src/backend/js-memory.js";

describe("JsMemory", () => {
  it("grows like WebAssembly.Memory (old size back, contents kept), in place: views track the new size", () => {
    const memory = new JsMemory({ initialPages: 1, maximumPages: 4 });
    const view = new Float32Array(memory.buffer);
    view[3] = 42;
    expect(memory.grow(2)).toBe(1);
    expect(memory.buffer.byteLength).toBe(3 * PAGE_BYTES);
    expect(view.length).toBe((3 * PAGE_BYTES) / 4);
    expect(new Float32Array(memory.buffer)[3]).toBe(42);
  });

  it("copies into a new buffer where ArrayBuffer cannot resize", () => {
    const proto = ArrayBuffer.prototype as { resize?: unknown };
    const resize = Object.getOwnPropertyDescriptor(proto, "resize");
    delete proto.resize;
    try {
      const memory = new JsMemory({ initialPages: 1, maximumPages: 4 });
      const before = memory.buffer;
      new Float32Array(before)[3] = 42;
      expect(memory.grow(2)).toBe(1);
      expect(memory.buffer).not.toBe(before);
      expect(memory.buffer.byteLength).toBe(3 * PAGE_BYTES);
      expect(new Float32Array(memory.buffer)[3]).toBe(42);
    } finally {
      Object.defineProperty(proto, "resize", resize!);
    }
  });

  it("throws RangeError past the maximum and stays usable", () => {
    const memory = new JsMemory({ initialPages: 1, maximumPages: 2 });
    expect(() => memory.grow(2)).toThrow(RangeError);
    expect(memory.buffer.byteLength).toBe(PAGE_BYTES);
    expect(memory.grow(1)).toBe(1);
  });

  it("defaults to a 2 GiB maximum, and the JS kernels start at heapBase 16", () => {
    expect(new JsMemory().maximumPages).toBe(32768);
    const k = createJsKernels({ initialPages: 2 });
    expect(k.name).toBe("js");
    expect(k.heapBase).toBe(16);
    expect(k.memory.buffer.byteLength).toBe(2 * PAGE_BYTES);
  });
});
