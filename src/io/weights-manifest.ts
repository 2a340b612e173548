// The weights manifest of a model.json (tfjs-core's io types): which weights
// the shards hold, in order, with shapes and storage dtypes. Everything is
// checked against everything else (shape -> element count -> stored bytes ->
// the bytes handed in) before one value is decoded, and a declared size
// above the limit is refused first. Weights are then found by name, not by
// position: Keras writers order them differently (tfjs puts BatchNorm's
// moving statistics last) and decorate the names (`:0`, `model/` scopes).

import { F32_BYTES } from "../memory.js";
import type { WeightShape } from "./keras-layers.js";
import type { WeightData } from "./format.js";
import { describeJson, fail, MAX_DIM, own, readArray, readInt, readNumber, readObject, readString } from "./json-read.js";

/** Bytes per stored element, by storage dtype. */
const STORED_BYTES = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 } as const;
type Storage = keyof typeof STORED_BYTES;

/** One checked manifest entry and where its bytes are. */
export interface ManifestEntry {
  /** The name as written. */
  readonly name: string;
  /** Where it is in the model.json, for messages. */
  readonly path: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly storage: Storage;
  readonly scale: number;
  readonly min: number;
  readonly byteOffset: number;
  readonly byteLength: number;
  /** tfjs' optimizer weights (group "optimizer"): counted in the bytes, never loaded. */
  readonly optimizer: boolean;
}

/** A checked manifest. */
export interface Manifest {
  readonly entries: readonly ManifestEntry[];
  readonly byteLength: number;
  /** Shard file names, in order. */
  readonly paths: readonly string[];
}

function formatBytes(n: number): string {
  return n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${n} bytes`;
}

/** Reads `weightsManifest` and refuses a declared model larger than `maxWeightBytes` (as float32). */
export function readManifest(value: unknown, path: string, maxWeightBytes: number): Manifest {
  const groups = readArray(value, path);
  const entries: ManifestEntry[] = [];
  const paths: string[] = [];
  let offset = 0;
  let floatBytes = 0;
  groups.forEach((g, gi) => {
    const gp = `${path}[${gi}]`;
    const group = readObject(g, gp);
    readArray(own(group, "paths"), `${gp}.paths`).forEach((p, pi) => paths.push(readString(p, `${gp}.paths[${pi}]`)));
    readArray(own(group, "weights"), `${gp}.weights`).forEach((w, wi) => {
      const wp = `${gp}.weights[${wi}]`;
      const spec = readObject(w, wp);
      const name = readString(own(spec, "name"), `${wp}.name`);
      const shapeList = readArray(own(spec, "shape"), `${wp}.shape`);
      if (shapeList.length > 8) fail(`${wp}.shape`, `has ${shapeList.length} dims; no weight has more than 8`);
      const shape = shapeList.map((d, i) => readInt(d, `${wp}.shape[${i}]`, 0, MAX_DIM));
      const size = shape.reduce((a, b) => a * b, 1);
      floatBytes += size * F32_BYTES;
      if (floatBytes > maxWeightBytes) {
        fail(wp, `the manifest declares at least ${formatBytes(floatBytes)} of weights, more than the limit of ` +
          `${formatBytes(maxWeightBytes)} (raise it with loadModel(..., { maxWeightBytes }))`);
      }
      const dtype = own(spec, "dtype");
      // int32 only for tfjs' optimizer step count (`iter`, group "optimizer"); weights are float32.
      if (dtype !== "float32" && !(dtype === "int32" && own(spec, "group") === "optimizer")) {
        fail(`${wp}.dtype`, `only float32 weights are supported, got ${describeJson(dtype)}`);
      }
      let storage: Storage = dtype as Storage;
      let [scale, min] = [1, 0];
      const q = own(spec, "quantization");
      if (q !== undefined && q !== null) {
        const qp = `${wp}.quantization`;
        const quant = readObject(q, qp);
        const qd = own(quant, "dtype");
        if (qd !== "uint8" && qd !== "uint16" && qd !== "float16") {
          fail(`${qp}.dtype`, `expected "uint8", "uint16" or "float16", got ${describeJson(qd)}`);
        }
        storage = qd;
        if (qd !== "float16") {
          scale = readNumber(own(quant, "scale"), `${qp}.scale`);
          min = readNumber(own(quant, "min"), `${qp}.min`);
        }
      }
      const byteLength = size * STORED_BYTES[storage];
      entries.push({
        name, path: wp, shape, size, storage, scale, min, byteOffset: offset, byteLength,
        optimizer: own(spec, "group") === "optimizer",
      });
      offset += byteLength;
    });
  });
  return { entries, byteLength: offset, paths };
}

/** The weight bytes as one Uint8Array, after checking they are exactly what the manifest declares. */
export function joinShards(data: unknown, manifest: Manifest, labels?: readonly string[]): Uint8Array {
  const isBytes = (v: unknown): v is ArrayBuffer | Uint8Array => v instanceof ArrayBuffer || v instanceof Uint8Array;
  const list = Array.isArray(data) ? data : [data];
  list.forEach((b, i) => {
    if (!isBytes(b)) {
      fail(Array.isArray(data) ? `weights[${i}]` : "weights", `expected an ArrayBuffer or a Uint8Array, got ${describeJson(b)}`);
    }
  });
  const shards = (list as (ArrayBuffer | Uint8Array)[]).map((b) => (b instanceof Uint8Array ? b : new Uint8Array(b)));
  if (shards.length > 1 && shards.length !== manifest.paths.length) {
    fail("weights", `${shards.length} shards given, but the manifest lists ${manifest.paths.length} ` +
      `(${manifest.paths.map((p) => JSON.stringify(p)).join(", ")})`);
  }
  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  if (total !== manifest.byteLength) {
    if (labels !== undefined) {
      const sizes = shards.map((s, i) => `${labels[i]} (${s.byteLength} bytes)`).join(", ");
      fail(labels.join(", "), `the manifest declares ${manifest.byteLength} bytes of weights, the shard files hold ` +
        `${total}: ${sizes}`);
    }
    fail("weights", `the manifest declares ${manifest.byteLength} bytes of weights, the data has ${total}`);
  }
  if (shards.length === 1) return shards[0]!;
  const joined = new Uint8Array(total);
  let at = 0;
  for (const s of shards) {
    joined.set(s, at);
    at += s.byteLength;
  }
  return joined;
}

/** IEEE 754 half -> number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decodes one entry's values to float32 (dequantizing), little-endian whatever the platform. */
export function decodeEntry(bytes: Uint8Array, e: ManifestEntry): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + e.byteOffset, e.byteLength);
  const out = new Float32Array(e.size);
  switch (e.storage) {
    case "float32": for (let i = 0; i < e.size; i++) out[i] = view.getFloat32(i * 4, true); break;
    case "int32": for (let i = 0; i < e.size; i++) out[i] = view.getInt32(i * 4, true); break;
    case "uint8": for (let i = 0; i < e.size; i++) out[i] = view.getUint8(i) * e.scale + e.min; break;
    case "uint16": for (let i = 0; i < e.size; i++) out[i] = view.getUint16(i * 2, true) * e.scale + e.min; break;
    case "float16": for (let i = 0; i < e.size; i++) out[i] = halfToFloat(view.getUint16(i * 2, true)); break;
  }
  return out;
}

/** A weight the model needs: `layer/weight`, its shape, and which layer wants it (for messages). */
export interface WantedWeight extends WeightShape {
  readonly key: string;
  readonly owner: string;
}

/**
 * Which manifest entry holds each wanted weight, by name: `conv2d/kernel`,
 * `conv2d/kernel:0` and `model/conv2d/kernel` all name `conv2d`'s kernel (the
 * longest matching suffix wins). Every wanted weight must be found once,
 * with the shape the layer needs, and every entry (but optimizer state) used.
 */
export function matchWeights(manifest: Manifest, wanted: readonly WantedWeight[]): ManifestEntry[] {
  const byKey = new Map<string, number>();
  wanted.forEach((w, i) => byKey.set(w.key, i));
  const found: (ManifestEntry | undefined)[] = new Array(wanted.length);
  for (const e of manifest.entries) {
    const parts = e.name.replace(/:\d+$/, "").split("/");
    let index: number | undefined;
    for (let i = 0; i < parts.length - 1 && index === undefined; i++) index = byKey.get(parts.slice(i).join("/"));
    if (index === undefined) {
      if (e.optimizer) continue;
      fail(`${e.path}.name`, `${JSON.stringify(e.name)} names no weight of the model ` +
        `(it has ${wanted.length === 0 ? "none" : wanted.map((w) => w.key).join(", ")})`);
    }
    const w = wanted[index]!;
    const before = found[index];
    if (before !== undefined) fail(`${e.path}.name`, `${JSON.stringify(e.name)} and ${JSON.stringify(before.name)} both name ${w.key}`);
    if (e.shape.length !== w.shape.length || e.shape.some((d, i) => d !== w.shape[i])) {
      fail(`${e.path}.shape`, `${w.key} has shape [${e.shape.join(",")}] in the manifest, but ${w.owner} needs ` +
        `[${w.shape.join(",")}]`);
    }
    found[index] = e;
  }
  const missing = wanted.findIndex((_w, i) => found[i] === undefined);
  if (missing >= 0) {
    const w = wanted[missing]!;
    fail("weightsManifest", `no weight for ${w.key} (${w.owner} needs its ${w.name} [${w.shape.join(",")}])`);
  }
  return found as ManifestEntry[];
}

export type { WeightData };
