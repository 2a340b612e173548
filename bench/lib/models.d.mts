// Types of models.mjs (plain JavaScript so the bench runs without a build),
// for the tests that build its specs through tfjs-layers and simdcnn.

/** One node of a graph spec: `inputs` names earlier nodes or "input". */
export type GraphNode = { name: string; inputs: string[] } & (
  | { type: "conv"; filters: number; kernel: number; strides: number; padding: "same" | "valid"; useBias: boolean }
  | { type: "dwconv"; kernel: number; strides: number; padding: "same" | "valid"; useBias: boolean }
  | { type: "zeropad"; padding: [[number, number], [number, number]] }
  | { type: "bn" | "relu" | "relu6" | "add" | "gap" }
  | { type: "dense"; units: number; activation?: "softmax" | "relu" | "linear" }
);

/** A functional model as named nodes in an order where every input comes first. */
export interface GraphSpec {
  name: string;
  inputShape: [number, number, number];
  graph: true;
  nodes: GraphNode[];
}

/** A layer-list spec (LeNet-5, the small VGG). */
export interface LayerSpec {
  name: string;
  inputShape: number[];
  layers: Record<string, unknown>[];
}

export declare const LENET5: LayerSpec;
export declare const SMALL_VGG: LayerSpec;
export declare const RESNET8: GraphSpec;
export declare function mobileNetV2(options?: { alpha?: number; size?: number; classes?: number }): GraphSpec;
export declare const BN_EPSILON: number;

/** A graph spec with every node's input and output shape ([h, w, c], or [features]) and Keras weight shapes. */
export interface DescribedGraph extends GraphSpec {
  nodes: (GraphNode & { input: number[]; output: number[]; weightShapes: number[][] })[];
  outputShape: number[];
  flopsPerImage: number;
}

export declare function describeModel(spec: GraphSpec): DescribedGraph;
export declare function describeModel(spec: LayerSpec): Record<string, unknown>;
export declare function modelWeights(described: Record<string, unknown>, seed: number): Float32Array[];
export declare function weightsByNode(described: Record<string, unknown>, weights: Float32Array[]):
  { node: Record<string, unknown>; arrays: Float32Array[] }[];
