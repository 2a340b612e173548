// 10,000 predicts on 2 threads, each split across the pool: the arena does
// not grow and no thread is left behind (Linux: /proc/self/status counts
// this process's threads).
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { capabilities, Dense, init, memory, Sequential } from "simdcnn";
import { ramp } from "./models.js";

const threadsOfProcess = (): number => Number(/^Threads:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))![1]);

it("10,000 predicts with 2 threads: no arena growth, no new thread", async () => {
  await init({ backend: "simd", threads: 2 });
  expect(capabilities().threads).toBe(2);
  // Batch 32 of Dense 300 -> 257: 4.9 MFLOP, so every predict splits in 2.
  const model = new Sequential([new Dense({ units: 257, activation: "relu" })], { inputShape: [300], seed: 3 });
  const x = ramp(32 * 300);
  const first = model.predict(x).toArray().slice();
  const before = { ...memory(), threads: threadsOfProcess() };
  for (let i = 0; i < 10_000; i++) model.predict(x);
  expect(model.predict(x).toArray()).toEqual(first);
  expect({ ...memory(), threads: threadsOfProcess() }).toEqual(before);
  model.dispose();
});
