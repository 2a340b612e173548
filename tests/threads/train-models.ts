// Models for the training invariance test (fit.test.ts): each backward call
// named in a case's comment carries at least 4 MFLOP in the cost model of
// src/threads/ (0.5 MFLOP a part, parts.ts; pooling backward counts 32 a
// window op), so it splits in two or more parts, with odd sizes so the
// cuts fall next to tile remainders.
import {
  AvgPool2D, BatchNormalization, Conv2D, Dense, DepthwiseConv2D, Dropout, Flatten, GlobalAvgPool2D, MaxPool2D, ReLU,
  Sequential,
} from "simdcnn";

export interface TrainCase {
  name: string;
  build(): Sequential;
  batch: number;
}

export const TRAIN_CASES: readonly TrainCase[] = [
  {
    // Batch 48: Dense 301 -> 263 weight gradient 7.6 MFLOP (dw rows cut at multiples of 4,
    // 301 = 75 * 4 + 1 left over), Dense 263 -> 197 input gradient 5 MFLOP (rows of dx).
    name: "dense 301->263->197->7, batch 48",
    batch: 48,
    build: () => new Sequential([
      new Dense({ units: 263, activation: "relu", seed: 1 }),
      new Dense({ units: 197, activation: "relu", seed: 2 }),
      new Dense({ units: 7, activation: "softmax", seed: 3 }),
    ], { inputShape: [301] }),
  },
  {
    // Batch 6: conv 3x3 'same' 26x27x16->24 (input gradient by images, 3 per part at most; weight
    // gradient by dw tiles: 3 * 12), BatchNorm, 5x5 stride-2 'valid' conv 26x27x24->20 (11x12 out),
    // 3x3 stride-2 'same' (padding odd on one side) 11x12x20->17.
    name: "conv/BN/strided conv, batch 6",
    batch: 6,
    build: () => new Sequential([
      new Conv2D({ filters: 24, kernelSize: 3, padding: "same", useBias: false, seed: 1 }),
      new BatchNormalization(),
      new ReLU(),
      new Conv2D({ filters: 20, kernelSize: 5, strides: 2, activation: "relu", seed: 2 }),
      new Conv2D({ filters: 17, kernelSize: 3, strides: 2, padding: "same", activation: "relu", seed: 3 }),
      new Flatten(),
      new Dense({ units: 5, activation: "softmax", seed: 4 }),
    ], { inputShape: [26, 27, 16] }),
  },
  {
    // Batch 8, after a 1x1 conv (so the depthwise input gradient is needed): depthwise 3x3
    // 'same' on 41x39x32, multiplier 3 (input gradient by images, 2*8*41*39*9*96 = 22
    // MFLOP; its relu's backward and dropout's (a binary multiply) over 8*41*39*96 = 1.2 M
    // elements by ranges), 3x3 stride-1 'same' max and average pooling backward
    // (8*41*39*9*96 = 11 M window ops each), all by images.
    name: "depthwise/pooling, batch 8",
    batch: 8,
    build: () => new Sequential([
      new Conv2D({ filters: 32, kernelSize: 1, seed: 3 }),
      new DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 3, padding: "same", activation: "relu", seed: 1 }),
      new Dropout({ rate: 0.25, seed: 5 }),
      new MaxPool2D({ poolSize: 3, strides: 1, padding: "same" }),
      new AvgPool2D({ poolSize: 3, strides: 1, padding: "same" }),
      new GlobalAvgPool2D(),
      new Dense({ units: 3, activation: "softmax", seed: 2 }),
    ], { inputShape: [41, 39, 8] }),
  },
  {
    // Batch 8, depthwise with multiplier 1 (the 3x3 register path of the weight gradient): 3x3
    // 'same' on 29x31x45 (weight gradient by channels cut at multiples of 8, 2*8*29*31*9*45*2 =
    // 11.6 MFLOP; 45 = 5 * 8 + 4 + 1: an odd 4-channel group and a 1-channel tail in the last
    // part), then 3x3 stride-2 'valid' on 29x31x45 -> 14x15 (3.1 MFLOP).
    name: "depthwise 3x3 multiplier 1, 45 channels, batch 8",
    batch: 8,
    build: () => new Sequential([
      new Conv2D({ filters: 45, kernelSize: 1, seed: 1 }),
      new DepthwiseConv2D({ kernelSize: 3, padding: "same", activation: "relu", seed: 2 }),
      new DepthwiseConv2D({ kernelSize: 3, strides: 2, seed: 3 }),
      new GlobalAvgPool2D(),
      new Dense({ units: 3, activation: "softmax", seed: 4 }),
    ], { inputShape: [29, 31, 6] }),
  },
  {
    // Batch 1: the weight gradients split (conv 3x3 'same' 45x43x12->32: 3 * 9 dw tiles,
    // 2*45*43*108*32 = 13.4 MFLOP; Dense 15*14*16 = 3360 -> 700: 4.7 MFLOP, dw rows), and
    // the forward depthwise by output rows (45x43x32, multiplier 4: 4.5 MFLOP).
    name: "conv/depthwise/dense, batch 1",
    batch: 1,
    build: () => new Sequential([
      new Conv2D({ filters: 32, kernelSize: 3, padding: "same", activation: "relu", seed: 1 }),
      new DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 4, padding: "same", seed: 2 }),
      new MaxPool2D({ poolSize: 3, strides: 3 }),
      new Conv2D({ filters: 16, kernelSize: 1, seed: 3 }),
      new Flatten(),
      new Dense({ units: 700, activation: "relu", seed: 4 }),
      new Dense({ units: 2, activation: "softmax", seed: 5 }),
    ], { inputShape: [45, 43, 12] }),
  },
];
