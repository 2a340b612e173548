// Types of storage-scenario.js (plain JavaScript so the page can import it unbuilt).
import type { Library } from "./scenario.js";

/** The scenario's model weights and samples, as in ScenarioInput. */
export interface StorageInput {
  weights: number[][];
  x: number[];
  labels: number[];
  predictCount: number;
  /** The IndexedDB key or download name. */
  name: string;
}

/** Float32 arrays as their uint32 bit patterns. */
export type Bits = number[];

/** What the page's IndexedDB holds for a saved model: its layout, sizes and names, no data. */
export interface RecordLayout {
  version: number;
  stores: string[];
  keyPaths: string[];
  modelKeys: string[];
  artifactKeys: string[];
  weightDataIsArrayBuffer: boolean;
  weightDataBytes: number;
  weightSpecNames: string[];
  topologyClass: string;
  infoKeys: string[];
  dateSavedIsDate: boolean;
  sizes: { modelTopologyType: string; modelTopologyBytes: number; weightSpecsBytes: number; weightDataBytes: number };
}

/** The tfjs UMD bundles' global, as far as the scenario uses it. */
export type TfGlobal = unknown;

export declare function indexedDbRoundTrip(lib: Library, input: StorageInput):
  Promise<{ files: string[]; predictions: Bits; loadedPredictions: Bits; record: RecordLayout }>;
export declare function loadMissing(lib: Library, name: string):
  Promise<{ rejected: boolean; name?: string; message?: string }>;
export declare function saveDownloads(lib: Library, input: StorageInput):
  Promise<{ predictions: Bits; files: string[]; manifestPaths: string[][] }>;
export declare function loadPickedFiles(lib: Library, input: Pick<StorageInput, "x" | "predictCount">):
  Promise<{ names: string[]; predictions: Bits }>;
export declare function resumeThroughIndexedDb(lib: Library, input: StorageInput):
  Promise<{ straight: Bits[]; resumed: Bits[]; restarted: Bits[]; beforeFit: Bits[] }>;
export declare function tfjsLoadsOurs(lib: Library, tf: TfGlobal, input: StorageInput): Promise<{ ours: number[]; tfjs: number[] }>;
export declare function oursLoadsTfjs(lib: Library, tf: TfGlobal, input: StorageInput): Promise<{ ours: number[]; tfjs: number[] }>;
