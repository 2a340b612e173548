// Types of threads-scenario.js (plain JavaScript so the page can import it unbuilt).
import type { Capabilities, InitOptions, Sequential } from "simdcnn";
import type { Library } from "./scenario.js";

export declare const INPUT_SHAPE: [number, number, number];
export declare const BATCH: number;

export declare function buildThreadsModel(lib: Library): Sequential;

export interface ThreadsInput {
  initOptions: InitOptions;
  /** BATCH samples, NHWC, flattened. */
  x: number[];
  /** Predict this many times (each prediction is returned). */
  repeats: number;
}

export interface ThreadsResult {
  initReturned: Capabilities;
  /** capabilities() after the predictions. */
  capabilities: Capabilities;
  /** Each prediction's float32 bit patterns. */
  predictions: number[][];
}

export declare function runThreads(lib: Library, input: ThreadsInput): Promise<ThreadsResult>;
