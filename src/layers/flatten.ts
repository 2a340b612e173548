// Flatten: [h, w, c] -> [h*w*c]. Channels-last memory is already in the
// row-major order Keras' Flatten produces, so this is a view: no copy, no
// kernel call (the model aliases the output buffer to the input's).

import { sizeOf } from "../shape.js";
import { checkConfigKeys } from "./config-keys.js";
import { Layer, LAYER_CONFIG_KEYS, type ForwardArgs, type LayerConfig } from "./layer.js";

/**
 * Flattens each sample to one dimension (Keras order).
 * @example
 * new Flatten(); // [4, 4, 16] -> [256]
 * @throws never (any input shape flattens).
 */
export class Flatten extends Layer {
  readonly className = "Flatten";
  readonly namePrefix = "flatten";

  constructor(config: LayerConfig = {}) {
    checkConfigKeys(config, LAYER_CONFIG_KEYS, "Flatten");
    super(config);
  }

  override get isIdentity(): boolean {
    return true;
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    return [sizeOf(inputShape)];
  }

  forward(_args: ForwardArgs): void {}

  getConfig(): LayerConfig & Record<string, unknown> {
    return { name: this.name };
  }
}
