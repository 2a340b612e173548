// The Keras-style text table of `Sequential.summary()`: kept apart from the
// model so the model file holds planning and execution, not string layout.

import { formatShape } from "./shape.js";

/** One row of `Sequential.summaryRows()`. */
export interface SummaryRow {
  name: string;
  /** Keras/tfjs class name, e.g. "Conv2D", "MaxPooling2D". */
  className: string;
  /** Output shape with the batch dim as `null`, as Keras prints it. */
  outputShape: (number | null)[];
  params: number;
}

/** Layer (type), Output Shape, Param #, then the totals, as Keras prints them. */
export function formatSummary(modelName: string, rows: readonly SummaryRow[], totalParams: number): string {
  const cells = rows.map((r) => [`${r.name} (${r.className})`, formatShape(r.outputShape), String(r.params)]);
  const header = ["Layer (type)", "Output Shape", "Param #"];
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)) + 4);
  const line = (row: string[]): string => row.map((cell, c) => cell.padEnd(widths[c]!)).join("").trimEnd();
  const total = widths.reduce((a, b) => a + b, 0);
  return [
    `Model: "${modelName}"`,
    "_".repeat(total),
    line(header),
    "=".repeat(total),
    ...cells.flatMap((row, i) => (i === 0 ? [line(row)] : ["_".repeat(total), line(row)])),
    "=".repeat(total),
    `Total params: ${totalParams}`,
    `Trainable params: ${totalParams}`,
    "Non-trainable params: 0",
    "_".repeat(total),
  ].join("\n");
}
