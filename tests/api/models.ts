// Models shared by the API tests.
import { AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, Sequential } from "simdcnn";

/** Classic LeNet-5 on 28x28x1 ('same' first conv, so the flatten has 5*5*16 = 400 inputs). */
export function lenet5(): Sequential {
  return new Sequential([
    new Conv2D({ filters: 6, kernelSize: 5, padding: "same", activation: "relu" }),
    new MaxPool2D({ poolSize: 2 }),
    new Conv2D({ filters: 16, kernelSize: 5, activation: "relu" }),
    new AvgPool2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 120, activation: "relu" }),
    new Dense({ units: 84, activation: "relu" }),
    new Dense({ units: 10, activation: "softmax" }),
  ], { inputShape: [28, 28, 1] });
}

/** A tiny model whose output is easy to compute by hand: Dense 3 -> 2, linear. */
export function tinyDense(): Sequential {
  return new Sequential([new Dense({ units: 2 })], { inputShape: [3] });
}

/** Deterministic values in [-1, 1). */
export function ramp(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
