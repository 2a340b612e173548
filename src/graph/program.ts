// Record, rewrite, plan, run: the plan and run half. A Program is one way of
// running a graph (inference, or training with its loss) for a batch
// capacity, with every buffer placed up front:
// - value buffers: the model inputs and each node's output. Views (Flatten,
//   Dropout at inference) share their input's buffer; element-wise layers
//   write over their input when nothing reads it later (inference only).
// - training adds gradient buffers (one per tensor that needs one; a view's
//   gradient is its input's when nothing else reads that input) and, where a
//   tensor fans out, a temporary for each extra consumer, added into the
//   gradient after that consumer's backward.
// Lifetimes run over one timeline (inputs, forward steps, the loss, backward
// steps in reverse), and the liveness planner packs every buffer into one
// arena block. The fused softmax/sigmoid + cross-entropy is a rewrite made
// here: the output node runs without its activation and the loss reads its
// logits; the probabilities are computed apart, for the metrics.

import { BinaryOpId } from "../../assembly/shared/ids.js";
import type { Backend } from "../backend/registry.js";
import { Activation } from "../layers/activation.js";
import { applyActivation, LINEAR, type ParsedActivation } from "../layers/activations.js";
import type { BackwardArgs, ForwardArgs, Layer, LayerParam, Padding2D } from "../layers/layer.js";
import { F32_BYTES } from "../memory.js";
import { BlockList } from "../plan.js";
import { sizeOf } from "../shape.js";
import { placeBuffers, type LiveBuffer } from "./liveness.js";
import { inferenceRewrites, NO_REWRITES } from "./rewrite.js";
import type { GraphNode, SymbolicTensor } from "./symbolic.js";
import type { Topology } from "./topology.js";

/** How a program runs: inference only, or training with a loss at the (single) output. */
export interface ProgramMode {
  readonly training: boolean;
  /** Training: the loss reads the output node's logits (softmax/sigmoid + cross-entropy). */
  readonly fusedLoss: boolean;
  /** Inference: apply the rewrites of src/graph/rewrite.ts (BatchNorm folds, fused activations). */
  readonly rewrite?: boolean;
}

/** Bytes a program planned, by kind. */
export interface PlannedBytes {
  /** Activations (inputs and layer outputs), after reuse. */
  activations: number;
  /** Gradients w.r.t. activations, after reuse (0 for inference). */
  gradients: number;
  /** The kernels' shared scratch. */
  scratch: number;
  /** Per-node training state (dropout masks, batch statistics) and the labels. */
  state: number;
}

interface ForwardStep {
  readonly node: GraphNode;
  readonly layer: Layer;
  /** False for a view: the output is the input's buffer, nothing runs. */
  readonly call: boolean;
  /** Training: the output activation is fused into the loss. */
  readonly fusedActivation: boolean;
  /** The activation the forward call ends with, when a rewrite moved it (else null). */
  readonly activation: ParsedActivation | null;
  /** Inference: a BatchNormalization is folded into the weights. */
  readonly folded: boolean;
  /** Inference: the padding of the ZeroPadding2D this convolution reads, moved into it (else null). */
  readonly padding: Padding2D | null;
  /** Inference: the buffer a fused Add adds in this call's epilogue (-1 / 0 once placed: none). */
  residual: number;
  readonly inputs: number[];
  output: number;
  state: number;
}

interface BackwardStep {
  readonly forward: ForwardStep;
  dy: number;
  /** Where each input's gradient goes (0: none needed). */
  readonly dxs: number[];
  /** Per input: the layer adds into dxs[i] (another reader wrote it first). */
  readonly accumulate: boolean[];
  /** After the call: grad[target] += temp, for fan-out inputs that were not the first to write. */
  readonly adds: { temp: number; target: number; floats: number }[];
  /** For a layer applied more than once: its weight gradients go to temporaries, then add up. */
  readonly sharedGrads: { param: LayerParam; temp: number }[];
}

type BufferId = number;

/** Builds buffer lifetimes, then places them. */
class BufferTable {
  readonly items: { size: number; first: number; last: number; kind: "value" | "grad" }[] = [];

  add(size: number, step: number, kind: "value" | "grad"): BufferId {
    this.items.push({ size, first: step, last: step, kind });
    return this.items.length - 1;
  }

  use(id: BufferId, step: number): void {
    const b = this.items[id]!;
    b.first = Math.min(b.first, step);
    b.last = Math.max(b.last, step);
  }
}

/** The ways a program can be handed its data and read from. */
export class Program {
  readonly capacity: number;
  readonly mode: ProgramMode;
  readonly bytes: PlannedBytes;
  /** Pointer of each model input's buffer. */
  readonly inputs: number[];
  /** Pointer of each model output (the probabilities when the loss is fused). */
  readonly outputs: number[];
  /** Training: what the loss reads (the logits when fused, else the output) and where its gradient goes. */
  readonly lossInput: number;
  readonly lossGrad: number;
  /** Training: the labels buffer. */
  readonly labels: number;
  private readonly steps: ForwardStep[];
  private readonly backSteps: BackwardStep[];
  /** Training with a fused loss: the output activation run apart for the metrics (from logits to probabilities). */
  private readonly outputActivation: { layer: Layer; perSample: number; cols: number; from: number; to: number } | null;
  private readonly scratch: number;
  private readonly blocks: BlockList;
  private readonly fArgs: ForwardArgs = {
    batch: 0, x: 0, inputs: [], y: 0, scratch: 0, training: false, activation: null, folded: false, padding: null, residual: 0,
    state: 0,
  };
  private readonly bArgs: BackwardArgs = {
    batch: 0, x: 0, inputs: [], y: 0, dy: 0, dx: 0, dxs: [], accumulate: [], fusedActivation: false, scratch: 0,
    state: 0,
  };

  /**
   * Plans `topology` for `capacity` samples.
   * @param labelFloats training: label floats per sample.
   * @throws {OutOfMemoryError} when the buffers do not fit; nothing stays allocated then.
   */
  constructor(private readonly backend: Backend, topology: Topology, capacity: number, mode: ProgramMode,
              labelFloats = 0) {
    this.capacity = capacity;
    this.mode = mode;
    const training = mode.training;
    const table = new BufferTable();
    const floats = (t: SymbolicTensor): number => capacity * sizeOf(t.shape);
    const slotOf = new Map<SymbolicTensor, BufferId>();
    const END = Number.MAX_SAFE_INTEGER;

    // ---- Forward: value buffers (step 0 = the input copies, node i at step i + 1).
    for (const t of topology.inputs) slotOf.set(t, table.add(floats(t), 0, "value"));
    const lastRead = new Map<SymbolicTensor, number>();
    topology.nodes.forEach((node, i) => { for (const t of node.inputs) lastRead.set(t, i + 1); });
    for (const t of topology.outputs) lastRead.set(t, END);
    const outNode = topology.outputs[0]!.node;
    const fused = training && mode.fusedLoss;
    // A fused loss on a bare activation layer reads that layer's input: the layer itself runs only for the metrics.
    const fusedBare = fused && outNode.layer instanceof Activation;
    const rewrites = !training && mode.rewrite === true ? inferenceRewrites(topology) : NO_REWRITES;
    for (const [node, bn] of rewrites.folds) node.layer.prepareFold(bn);
    for (const [node, padding] of rewrites.paddings) node.layer.preparePadding(padding);
    const steps: ForwardStep[] = [];
    const stepOf = new Map<GraphNode, number>();
    topology.nodes.forEach((node, i) => {
      const layer = node.layer;
      const step = i + 1;
      const inputs = node.inputs.map((t) => slotOf.get(t)!);
      const view = training ? layer.isIdentityInTraining : layer.isIdentity || rewrites.views.has(node);
      const fusedActivation = fused && node === outNode && !fusedBare;
      const activation = fusedActivation ? LINEAR : rewrites.epilogues.get(node) ?? null;
      let output: BufferId;
      if (view) {
        output = inputs[rewrites.viewOf.get(node) ?? 0]!;
      } else if (!training && layer.inPlace && table.items[inputs[0]!]!.last <= step &&
                 lastRead.get(node.inputs[0]!) === step && table.items[inputs[0]!]!.size === floats(node.output) &&
                 !inputs.slice(1).includes(inputs[0]!)) {
        // Nothing reads the first input after this step (nor does this step, past its first
        // read: a merge chain would read an overwritten input): write over it.
        output = inputs[0]!;
      } else {
        output = table.add(floats(node.output), step, "value");
      }
      slotOf.set(node.output, output);
      stepOf.set(node, steps.length);
      const residualTensor = rewrites.residuals.get(node);
      const residual = residualTensor === undefined ? -1 : slotOf.get(residualTensor)!;
      steps.push({
        node, layer, call: !view, fusedActivation, activation, folded: rewrites.folds.has(node),
        padding: rewrites.paddings.get(node) ?? null, residual, inputs, output, state: 0,
      });
      for (const b of inputs) table.use(b, step);
      if (residual >= 0) table.use(residual, step);
      table.use(output, step);
      // Views extend their buffer's life to their own readers: mark the buffer as read as late as the view is.
      if (view) table.use(output, lastRead.get(node.output) ?? step);
    });
    const N = topology.nodes.length;
    for (const t of topology.outputs) table.use(slotOf.get(t)!, END);
    const lossStep = N + 1;
    const backStepAt = (i: number): number => lossStep + (N - i); // node i (0-based) runs backward here

    // ---- Fused loss: logits buffer and the probabilities for the metrics.
    let lossValue = slotOf.get(topology.outputs[0]!)!;
    let probs: BufferId | null = null;
    if (fused) {
      if (fusedBare) {
        lossValue = slotOf.get(outNode.inputs[0]!)!;
      } else {
        lossValue = slotOf.get(outNode.output)!;
        probs = table.add(floats(outNode.output), N, "value");
        table.use(probs, END);
      }
      table.use(lossValue, lossStep);
    }

    // ---- Backward: which tensors need a gradient, and the gradient buffers.
    const backSteps: { forward: ForwardStep; i: number; dy: BufferId; dxs: (BufferId | -1)[]; accumulate: boolean[];
                       adds: { temp: BufferId; target: BufferId; floats: number }[] }[] = [];
    let lossGradId: BufferId = -1;
    if (training) {
      const needs = new Set<SymbolicTensor>();
      for (const node of topology.nodes) {
        const trainable = node.layer.weights().some((w) => w.trainable);
        if (trainable || node.inputs.some((t) => needs.has(t))) needs.add(node.output);
      }
      const gradOf = new Map<SymbolicTensor, BufferId>();
      // Contributions to each tensor's gradient, counted to know when one is the first.
      const written = new Set<SymbolicTensor>();
      const lossTensor = fusedBare ? outNode.inputs[0]! : outNode.output;
      lossGradId = table.add(floats(lossTensor), lossStep, "grad");
      gradOf.set(lossTensor, lossGradId);
      written.add(lossTensor);
      // Consumers per tensor, to decide whether a view may share its input's gradient.
      const readers = new Map<SymbolicTensor, number>();
      for (const node of topology.nodes) for (const t of node.inputs) readers.set(t, (readers.get(t) ?? 0) + 1);
      for (let i = N - 1; i >= 0; i--) {
        const forward = steps[i]!;
        const node = forward.node;
        if (fusedBare && node === outNode) continue; // the loss gave its input's gradient directly
        if (!needs.has(node.output)) continue;
        const dy = gradOf.get(node.output);
        if (dy === undefined) continue; // nothing downstream reads it
        const step = backStepAt(i);
        table.use(dy, step);
        if (!forward.call && !needs.has(node.inputs[0]!)) continue;
        if (!forward.call && readers.get(node.inputs[0]!) === 1 && !written.has(node.inputs[0]!)) {
          // A view with a single reader: its input's gradient is its output's.
          gradOf.set(node.inputs[0]!, dy);
          written.add(node.inputs[0]!);
          continue;
        }
        const dxs: (BufferId | -1)[] = [];
        const accumulate: boolean[] = [];
        const adds: { temp: BufferId; target: BufferId; floats: number }[] = [];
        let passed = false;
        node.inputs.forEach((t) => {
          accumulate.push(false);
          if (!needs.has(t)) { dxs.push(-1); return; }
          if (!written.has(t) && !passed && forward.layer.passesGradientThrough &&
              node.inputs.indexOf(t) === node.inputs.lastIndexOf(t)) {
            // dy is this input's gradient as it stands: hand the buffer over instead of copying it.
            passed = true;
            gradOf.set(t, dy);
            written.add(t);
            dxs.push(dy);
            return;
          }
          if (!written.has(t)) {
            const g = table.add(floats(t), step, "grad");
            gradOf.set(t, g);
            written.add(t);
            dxs.push(g);
          } else if (forward.layer.accumulatesInputGradients) {
            // The layer adds its share in its own pass: no temporary, no extra add.
            const target = gradOf.get(t)!;
            table.use(target, step);
            dxs.push(target);
            accumulate[accumulate.length - 1] = true;
          } else {
            const temp = table.add(floats(t), step, "grad");
            const target = gradOf.get(t)!;
            table.use(target, step);
            dxs.push(temp);
            adds.push({ temp, target, floats: floats(t) });
          }
        });
        for (const b of forward.inputs) table.use(b, step);
        table.use(forward.output, step);
        backSteps.push({ forward, i, dy, dxs, accumulate, adds });
      }
      // Every gradient lives until its producer's backward read it (views end there too).
      for (const [t, g] of gradOf) {
        const producer = stepOf.get(t.node);
        if (producer !== undefined) table.use(g, backStepAt(producer));
      }
    }

    // ---- Place values and gradients, each kind in one block; states, labels and scratch apart.
    const kinds = (["value", "grad"] as const).map((kind) => {
      const ids = table.items.map((b, i) => (b.kind === kind ? i : -1)).filter((i) => i >= 0);
      return { ids, placement: placeBuffers(ids.map((i) => table.items[i]! as LiveBuffer)) };
    });
    this.blocks = new BlockList(backend.arena);
    try {
      const where = new Map<BufferId, number>();
      for (const { ids, placement } of kinds) {
        const base = placement.total > 0 ? this.blocks.alloc(placement.total) : 0;
        ids.forEach((id, k) => where.set(id, base + placement.offsets[k]! * F32_BYTES));
      }
      const ptr = (id: BufferId): number => (id < 0 ? 0 : where.get(id)!);
      for (const s of steps) {
        (s as { inputs: number[] }).inputs = s.inputs.map(ptr);
        s.output = ptr(s.output);
        s.residual = ptr(s.residual);
      }
      this.steps = steps;
      this.inputs = topology.inputs.map((t) => ptr(slotOf.get(t)!));
      this.outputs = topology.outputs.map((t) => ptr(slotOf.get(t)!));
      this.lossInput = training ? ptr(lossValue) : 0;
      this.lossGrad = training ? ptr(lossGradId) : 0;
      let stateFloats = 0;
      this.labels = training && labelFloats > 0 ? this.blocks.alloc(capacity * labelFloats) : 0;
      if (this.labels !== 0) stateFloats += capacity * labelFloats;
      if (training) {
        for (const s of steps) {
          const n = s.call ? s.layer.trainingStateFloats(capacity) : 0;
          if (n > 0) {
            s.state = this.blocks.alloc(n);
            stateFloats += n;
          }
        }
      }
      this.outputActivation = null;
      if (probs !== null) {
        const shape = outNode.output.shape;
        this.outputs[0] = ptr(probs);
        this.outputActivation = {
          layer: outNode.layer, perSample: sizeOf(shape), cols: shape[shape.length - 1]!, from: ptr(lossValue), to: ptr(probs),
        };
      }
      // Layers applied more than once accumulate their weight gradients through temporaries.
      const seenLayers = new Set<Layer>();
      this.backSteps = backSteps.map(({ forward, dy, dxs, accumulate, adds }) => {
        const sharedGrads: { param: LayerParam; temp: number }[] = [];
        if (seenLayers.has(forward.layer)) {
          for (const param of forward.layer.weights()) {
            if (param.trainable) {
              sharedGrads.push({ param, temp: this.blocks.alloc(param.size) });
              stateFloats += param.size;
            }
          }
        }
        seenLayers.add(forward.layer);
        return {
          forward, dy: ptr(dy), dxs: dxs.map(ptr), accumulate,
          adds: adds.map((a) => ({ temp: ptr(a.temp), target: ptr(a.target), floats: a.floats })),
          sharedGrads,
        };
      });
      // One scratch for every forward and backward call (they never overlap).
      const scratchFloats = Math.max(0, ...steps.map((s) => !s.call ? 0 :
        Math.max(s.layer.scratchFloats(capacity), training ? s.layer.trainingScratchFloats(capacity) : 0)));
      this.scratch = scratchFloats > 0 ? this.blocks.alloc(scratchFloats) : 0;
      this.bytes = {
        activations: kinds[0]!.placement.total * F32_BYTES,
        gradients: kinds[1]!.placement.total * F32_BYTES,
        scratch: scratchFloats * F32_BYTES,
        state: stateFloats * F32_BYTES,
      };
    } catch (e) {
      this.blocks.freeAll();
      throw e;
    }
  }

  /** Frees every buffer of the program. */
  dispose(): void {
    this.blocks.freeAll();
  }

  /**
   * Runs every forward step on `batch` samples already copied into `inputs`.
   * `after(i, ptr)` (optional) sees node i's output right after it ran.
   */
  forward(batch: number, training: boolean, after?: (node: number, ptr: number) => void): void {
    const args = this.fArgs;
    args.batch = batch;
    args.scratch = this.scratch;
    args.training = training;
    const steps = this.steps;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      if (s.call) {
        args.inputs = s.inputs;
        args.x = s.inputs[0]!;
        args.y = s.output;
        args.state = s.state;
        args.activation = s.activation;
        args.folded = s.folded;
        args.padding = s.padding;
        args.residual = s.residual;
        s.layer.forward(args);
      }
      if (after !== undefined) after(i, s.output);
    }
    const act = this.outputActivation;
    if (act !== null) {
      applyActivation(this.backend.kernels, act.layer.outputActivation!, act.from, act.to,
        (batch * act.perSample) / act.cols, act.cols);
    }
  }

  /** Lets every layer keep what the last training forward measured (see Layer.commitStep). */
  commitStep(): void {
    for (const s of this.steps) if (s.call && s.state !== 0) s.layer.commitStep(s.state);
  }

  /** Runs the backward steps of the last training forward; the loss wrote `lossGrad` first. */
  backward(batch: number): void {
    this.bArgs.batch = batch;
    this.bArgs.scratch = this.scratch;
    for (const b of this.backSteps) {
      if (b.forward.call) this.runBackward(b);
      else this.copyViewGradient(b, batch);
      for (const a of b.adds) this.accumulate(a.target, a.temp, batch * (a.floats / this.capacity));
    }
  }

  private runBackward(b: BackwardStep): void {
    const args = this.bArgs;
    const s = b.forward;
    args.inputs = s.inputs;
    args.x = s.inputs[0]!;
    args.y = s.output;
    args.dy = b.dy;
    args.dxs = b.dxs;
    args.dx = b.dxs[0]!;
    args.accumulate = b.accumulate;
    args.state = s.state;
    args.fusedActivation = s.fusedActivation;
    const shared = b.sharedGrads;
    for (const g of shared) [g.param.grad, g.temp] = [g.temp, g.param.grad];
    try {
      s.layer.backward(args);
    } finally {
      for (const g of shared) [g.param.grad, g.temp] = [g.temp, g.param.grad];
    }
    for (const g of shared) this.accumulate(g.param.grad, g.temp, g.param.size);
  }

  /** target += temp over `floats` values (a gradient summed over the readers of a tensor). */
  private accumulate(target: number, temp: number, floats: number): void {
    this.backend.kernels.binary(BinaryOpId.Add, target, temp, target, floats);
  }

  /** A view whose input is read elsewhere too: its input's gradient (part) is a copy of dy. */
  private copyViewGradient(b: BackwardStep, batch: number): void {
    const f32 = this.backend.arena.f32();
    const n = batch * sizeOf(b.forward.node.output.shape);
    f32.copyWithin(b.dxs[0]! / F32_BYTES, b.dy / F32_BYTES, b.dy / F32_BYTES + n);
  }
}
