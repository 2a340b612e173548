// The plain-JS linear memory behaves like WebAssembly.Memory where the arena
// relies on it: grow returns the old size, replaces the buffer, keeps the
// contents, and throws RangeError past the maximum.

import { describe, expect, it } from "vitest";
import { createJsKernels } from "../../src/backend/js.js";
import { JsMemory, PAGE_BYTES } from "../../src/backend/js-memory.js";

describe("JsMemory", () => {
  it("grows like WebAssembly.Memory: old size back, new buffer, contents kept", () => {
    const memory = new JsMemory({ initialPages: 1, maximumPages: 4 });
    const before = memory.buffer;
    new Float32Array(before)[3] = 42;
    expect(memory.grow(2)).toBe(1);
    expect(memory.buffer).not.toBe(before);
    expect(memory.buffer.byteLength).toBe(3 * PAGE_BYTES);
    expect(new Float32Array(memory.buffer)[3]).toBe(42);
  });

  it("grows by half again at least, within the maximum, so growth copies O(size) bytes in all", () => {
    const memory = new JsMemory({ initialPages: 10, maximumPages: 40 });
    expect(memory.grow(1)).toBe(10);
    expect(memory.pages).toBe(15);
    expect(memory.grow(1)).toBe(15);
    expect(memory.pages).toBe(23);
    expect(memory.grow(1)).toBe(23);
    expect(memory.pages).toBe(35);
    expect(memory.grow(1)).toBe(35);
    expect(memory.pages).toBe(40); // capped
    expect(memory.grow(0)).toBe(40);
    expect(memory.pages).toBe(40);
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
