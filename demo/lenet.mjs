// The demo's LeNet, shared by `npm start` (demo/main.mjs) and the script that
// trains the shipped model (scripts/train-lenet.mjs), so both are one network.
import { Sequential, Conv2D, MaxPool2D, Flatten, Dense, Dropout } from "simdcnn";

/** LeNet-5 with dropout: 8,000 training digits are few enough that it helps the test accuracy. */
export function lenet() {
  return new Sequential([
    new Conv2D({ filters: 6, kernelSize: 5, padding: "same", activation: "relu" }),
    new MaxPool2D({ poolSize: 2 }),
    new Conv2D({ filters: 16, kernelSize: 5, activation: "relu" }),
    new MaxPool2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 120, activation: "relu" }),
    new Dropout({ rate: 0.3 }),
    new Dense({ units: 84, activation: "relu" }),
    new Dense({ units: 10, activation: "softmax" }),
  ], { inputShape: [28, 28, 1], seed: 1 });
}
