// In its own file (vitest runs each file in a fresh process): init() has not run here.
import { describe, expect, it } from "vitest";
import { BackendError, capabilities, Dense, memory, Sequential, tensor } from "simdcnn";

describe("use before init()", () => {
  it("throws BackendError telling to call init()", () => {
    expect(() => new Sequential([new Dense({ units: 2 })], { inputShape: [3] })).toThrow(BackendError);
    expect(() => new Sequential([new Dense({ units: 2 })], { inputShape: [3] })).toThrow("call `await init()` first");
    expect(() => tensor([1, 2], [2])).toThrow(/call `await init\(\)` first/);
    expect(() => capabilities()).toThrow(BackendError);
    expect(() => memory()).toThrow(BackendError);
  });

  it("layers can be configured before init (they allocate only when built)", () => {
    expect(() => new Dense({ units: 2 })).not.toThrow();
  });
});
