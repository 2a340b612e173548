// Types of scenario.js (plain JavaScript so the page can import it unbuilt).
import type { Capabilities, InitOptions, Sequential } from "simdcnn";

/** The part of the library the scenario uses: dist/browser.js in the page, "simdcnn" in Node. */
export type Library = typeof import("simdcnn");

export declare const INPUT_SHAPE: [number, number, number];
export declare const CLASSES: number;

export declare function buildModel(lib: Library): Sequential;

/** Everything is plain data (it crosses Playwright's serializer). */
export interface ScenarioInput {
  /** Only JSON-able options: a wasm source, if any, is a URL string. */
  initOptions: Omit<InitOptions, "wasm"> & { wasm?: string };
  /** Keras order, as buildModel's getWeights(). */
  weights: number[][];
  /** Training samples, NHWC, flattened. */
  x: number[];
  /** One class index per training sample. */
  labels: number[];
  /** Predict on the first this many samples. */
  predictCount: number;
  /** trainOnBatch calls on all samples. */
  steps: number;
  /** Then fit epochs (batchSize 2, seeded shuffle). */
  epochs: number;
}

/** Float32 arrays as their uint32 bit patterns. */
export interface ScenarioResult {
  initReturned: Capabilities;
  capabilities: Capabilities;
  predictions: number[];
  stepLosses: number[];
  fitLosses: number[];
  trainedPredictions: number[];
  weights: number[][];
}

export declare function runScenario(lib: Library, input: ScenarioInput): Promise<ScenarioResult>;
