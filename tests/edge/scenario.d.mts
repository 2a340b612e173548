// Types of scenario.mjs (plain JavaScript so workerd can load it unchanged).
import type * as simdcnn from "simdcnn";

export declare const INPUT_SHAPE: readonly [number, number, number];
export declare const BATCH: number;
export declare const CLASSES: number;
export declare const TRAIN_STEPS: number;
export declare const FIT_EPOCHS: number;

/** Every float array as the hex of its bytes (float32 unless named a loss: float64). */
export interface ScenarioResult {
  capabilities: simdcnn.Capabilities;
  initial: string[];
  predicted: string;
  stepLosses: string;
  afterSteps: string[];
  predictedAfterSteps: string;
  fitLosses: string;
  afterFit: string[];
}

export declare function toHex(array: ArrayBufferView): string;
export declare function runScenario(lib: typeof simdcnn, initOptions: simdcnn.InitOptions, seed: number): Promise<ScenarioResult>;
