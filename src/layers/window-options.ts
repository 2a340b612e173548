// The window options Conv2D and DepthwiseConv2D share (kernelSize, strides,
// padding, dilationRate): read and checked once, and the two axes' output
// sizes and padding from the one helper in src/shape.ts.

import { ConfigError } from "../errors.js";
import { axisWindow, type AxisWindow, type Padding } from "../shape.js";
import { pair, paddingOption } from "./layer.js";

/** A convolution's window, both axes as [height, width]. */
export interface WindowOptions {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
}

/**
 * Reads the window options of `config`; `kernelDefault` undefined makes
 * kernelSize required (as DepthwiseConv2D in Keras).
 * @throws {ConfigError} for a non-positive size, an unknown padding, or
 *   strides and dilation both above 1 (as Keras).
 */
export function readWindowOptions(
  config: { kernelSize?: unknown; strides?: unknown; padding?: unknown; dilationRate?: unknown },
  where: string, kernelDefault?: number,
): WindowOptions {
  const kernelSize = pair(config.kernelSize ?? kernelDefault, "kernelSize", where);
  const strides = pair(config.strides ?? 1, "strides", where);
  const padding = paddingOption(config.padding, where);
  const dilationRate = pair(config.dilationRate ?? 1, "dilationRate", where);
  if (dilationRate.some((d) => d > 1) && strides.some((s) => s > 1)) {
    throw new ConfigError(`${where}: strides [${strides}] and dilationRate [${dilationRate}] cannot ` +
      `both exceed 1 (as in Keras)`);
  }
  return { kernelSize, strides, padding, dilationRate };
}

/** Output size and padding along height and width for an h x w input. */
export function windowsOf(o: WindowOptions, h: number, w: number): readonly [AxisWindow, AxisWindow] {
  return [
    axisWindow(h, o.kernelSize[0], o.strides[0], o.padding, o.dilationRate[0]),
    axisWindow(w, o.kernelSize[1], o.strides[1], o.padding, o.dilationRate[1]),
  ];
}
