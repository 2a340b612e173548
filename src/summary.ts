// The Keras-style text table of `model.summary()`: kept apart from the
// model so the model file holds planning and execution, not string layout.

import { formatShape } from "./shape.js";

/** One row of `model.summaryRows()`: one call of a layer (a shared layer has a row per call). */
export interface SummaryRow {
  name: string;
  /** Keras/tfjs class name, e.g. "Conv2D", "MaxPooling2D". */
  className: string;
  /** Output shape with the batch dim as `null`, as Keras prints it. */
  outputShape: (number | null)[];
  /** Weights of the layer, trainable or not (0 on the rows of a shared layer's later calls). */
  params: number;
  /** The inbound tensors as Keras names them, `layer[node][tensor]` (e.g. `conv2d_1[0][0]`); empty for inputs. */
  connectedTo: string[];
}

/** Totals under the table. */
export interface SummaryTotals {
  total: number;
  trainable: number;
  /** Print Keras' "Connected to" column (functional models). */
  connected: boolean;
}

/** Layer (type), Output Shape, Param # (and Connected to), then the totals, as Keras prints them. */
export function formatSummary(modelName: string, rows: readonly SummaryRow[], totals: SummaryTotals): string {
  const header = ["Layer (type)", "Output Shape", "Param #", ...(totals.connected ? ["Connected to"] : [])];
  // A row per inbound tensor beyond the first, as Keras lists merge inputs one per line.
  const cells = rows.map((r) => {
    const first = [`${r.name} (${r.className})`, formatShape(r.outputShape), String(r.params)];
    if (!totals.connected) return [first];
    const [head = "", ...rest] = r.connectedTo;
    return [[...first, head], ...rest.map((c) => ["", "", "", c])];
  });
  const flat = cells.flat();
  const widths = header.map((h, c) => Math.max(h.length, ...flat.map((row) => row[c]!.length)) + 4);
  const line = (row: string[]): string => row.map((cell, c) => cell.padEnd(widths[c]!)).join("").trimEnd();
  const width = widths.reduce((a, b) => a + b, 0);
  return [
    `Model: "${modelName}"`,
    "_".repeat(width),
    line(header),
    "=".repeat(width),
    ...cells.flatMap((group, i) => [...(i === 0 ? [] : ["_".repeat(width)]), ...group.map(line)]),
    "=".repeat(width),
    `Total params: ${totals.total}`,
    `Trainable params: ${totals.trainable}`,
    `Non-trainable params: ${totals.total - totals.trainable}`,
    "_".repeat(width),
  ].join("\n");
}
