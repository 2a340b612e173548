// indexeddb://<name>: a model kept in the browser's IndexedDB (pages and
// workers), in tfjs-core's own layout so that a model saved by either
// library loads in the other (tf.loadLayersModel("indexeddb://name")):
//
//   database "tensorflowjs", version 1, two object stores keyed by
//   `modelPath` (the name after the scheme):
//   - "models_store": { modelPath, modelArtifacts, modelArtifactsInfo }, where
//     modelArtifacts = { modelTopology, weightSpecs, weightData (one
//     ArrayBuffer), format, generatedBy, convertedBy, trainingConfig? }:
//     model.json with the manifest's weight specs flattened and the shard's
//     bytes in place of its file name;
//   - "model_info_store": { modelPath, modelArtifactsInfo }, where
//     modelArtifactsInfo = { dateSaved, modelTopologyType: "JSON",
//     modelTopologyBytes, weightSpecsBytes, weightDataBytes } (what
//     tf.io.listModels() reads).
//
// tfjs writes the two records in two transactions; here they go in one, so a
// failed save leaves neither. Reading needs models_store only.

import { ConfigError, messageOf, ModelFormatError } from "../errors.js";
import type { ModelJson, SavedModel, WeightSpec } from "./format.js";
import { schemeUnavailable } from "./files.js";
import { describeJson, isObject, own } from "./json-read.js";

/** tfjs-core's names (src/io/indexed_db.ts). */
const DATABASE = "tensorflowjs";
const VERSION = 1;
const MODELS = "models_store";
const INFO = "model_info_store";

const INDEXED_DB_SCHEME = "indexeddb://";

/** The weights shard's name in the model.json rebuilt from a record (only messages show it). */
const RECORD_SHARD = "weights.bin";

/** The browser's IndexedDB, or the ConfigError saying what to use where there is none. */
function factory(what: "save" | "loadModel", location: string): IDBFactory {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (idb !== undefined && idb !== null) return idb;
  throw schemeUnavailable(what, location, "indexeddb");
}

/** The name after "indexeddb://"; a ConfigError when it is empty. */
function indexedDbName(location: string, what: "save" | "loadModel"): string {
  const name = location.slice(INDEXED_DB_SCHEME.length);
  if (name === "") throw new ConfigError(`${what}: ${JSON.stringify(location)} names no model (use "indexeddb://<name>")`);
  return name;
}

/** An IDBRequest as a promise. */
function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((ok, fail) => {
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error ?? new Error("IndexedDB request failed"));
  });
}

/** Opens tfjs' database, making its two stores on first use (as tfjs does). */
function open(idb: IDBFactory): Promise<IDBDatabase> {
  const request = idb.open(DATABASE, VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains(MODELS)) db.createObjectStore(MODELS, { keyPath: "modelPath" });
    if (!db.objectStoreNames.contains(INFO)) db.createObjectStore(INFO, { keyPath: "modelPath" });
  };
  return done(request);
}

const utf8Length = (value: unknown): number => new TextEncoder().encode(JSON.stringify(value)).length;

/** Stores a saved model under `location` ("indexeddb://name"), replacing one of that name. */
export async function saveToIndexedDb(location: string, saved: SavedModel): Promise<void> {
  const idb = factory("save", location);
  const modelPath = indexedDbName(location, "save");
  const json = saved.modelJson;
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const modelArtifacts: Record<string, unknown> = {
    modelTopology: json.modelTopology, weightSpecs, weightData: saved.weights,
    format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy,
  };
  if (json.trainingConfig !== undefined) modelArtifacts["trainingConfig"] = json.trainingConfig;
  const modelArtifactsInfo = {
    dateSaved: new Date(), modelTopologyType: "JSON", modelTopologyBytes: utf8Length(json.modelTopology),
    weightSpecsBytes: utf8Length(weightSpecs), weightDataBytes: saved.weights.byteLength,
  };
  let db: IDBDatabase | null = null;
  try {
    db = await open(idb);
    const tx = db.transaction([MODELS, INFO], "readwrite");
    const finished = new Promise<void>((ok, fail) => {
      tx.oncomplete = () => ok();
      tx.onerror = () => fail(tx.error ?? new Error("the transaction failed"));
      tx.onabort = () => fail(tx.error ?? new Error("the transaction was aborted"));
    });
    tx.objectStore(INFO).put({ modelPath, modelArtifactsInfo });
    tx.objectStore(MODELS).put({ modelPath, modelArtifacts, modelArtifactsInfo });
    await finished;
  } catch (e) {
    throw new Error(`save: storing ${location} in IndexedDB failed: ${messageOf(e)}`);
  } finally {
    db?.close();
  }
}

/** The record's weight bytes: one ArrayBuffer (tfjs joins them before storing), or a list from older writers. */
function weightBytes(value: unknown, label: string): Uint8Array[] {
  if (value instanceof ArrayBuffer) return [new Uint8Array(value)];
  if (Array.isArray(value) && value.every((v) => v instanceof ArrayBuffer)) {
    return (value as ArrayBuffer[]).map((b) => new Uint8Array(b));
  }
  throw new ModelFormatError(`${label}: modelArtifacts.weightData: expected an ArrayBuffer, got ${describeJson(value)}`);
}

/**
 * Reads the model stored under `location` ("indexeddb://name") as model.json
 * text (tfjs' record put back into that form) and its weight bytes.
 */
export async function readFromIndexedDb(location: string): Promise<{ json: string; weights: Uint8Array[] }> {
  const idb = factory("loadModel", location);
  const modelPath = indexedDbName(location, "loadModel");
  let record: unknown;
  let db: IDBDatabase | null = null;
  try {
    db = await open(idb);
    record = await done(db.transaction(MODELS, "readonly").objectStore(MODELS).get(modelPath));
  } catch (e) {
    throw new Error(`loadModel: reading ${location} from IndexedDB failed: ${messageOf(e)}`);
  } finally {
    db?.close();
  }
  if (record === undefined) {
    throw new Error(`loadModel: ${location}: IndexedDB holds no model of that name (database "${DATABASE}", store "${MODELS}")`);
  }
  const artifacts = isObject(record) ? own(record, "modelArtifacts") : undefined;
  if (!isObject(artifacts)) {
    throw new ModelFormatError(`${location}: expected a record { modelPath, modelArtifacts }, got ${describeJson(record)}`);
  }
  const weights = weightBytes(own(artifacts, "weightData"), location);
  const modelJson: Partial<ModelJson> & { weightsManifest: { paths: string[]; weights: unknown }[] } = {
    format: own(artifacts, "format") as ModelJson["format"],
    generatedBy: own(artifacts, "generatedBy") as string,
    convertedBy: own(artifacts, "convertedBy") as string | null,
    modelTopology: own(artifacts, "modelTopology") as Record<string, unknown>,
    // One shard per stored buffer; the loader checks the specs and the sizes.
    weightsManifest: [{
      paths: weights.map((_w, i) => (weights.length === 1 ? RECORD_SHARD : `${RECORD_SHARD}[${i}]`)),
      weights: own(artifacts, "weightSpecs") as WeightSpec[],
    }],
  };
  const trainingConfig = own(artifacts, "trainingConfig");
  if (trainingConfig !== undefined && trainingConfig !== null) modelJson.trainingConfig = trainingConfig as ModelJson["trainingConfig"];
  return { json: JSON.stringify(modelJson), weights };
}
