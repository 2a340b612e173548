// tfjs-layers 4.22's model.save leaves `depth_multiplier` out of a
// SeparableConv2D's config (its getConfig forgets it), so the file reads as
// multiplier 1 and its weights no longer fit. The depthwise kernel's shape
// in the weights manifest, [kh, kw, in, multiplier], still says what it was.

import { KerasConfig } from "./json-read.js";
import type { ManifestEntry } from "./weights-manifest.js";

/** The layer classes whose config holds depth_multiplier beside a depthwise_kernel. */
const DEPTHWISE_CLASSES = new Set(["DepthwiseConv2D", "SeparableConv2D"]);

/**
 * `config` with `depth_multiplier` taken from the manifest's
 * `<layer>/depthwise_kernel` when the config omits it and the manifest says
 * it unambiguously: one such weight (matched by name as the loader matches
 * weights, any name-scope prefix or `:0` aside), of rank 4, whose input
 * channels are the layer's. Otherwise `config` as it is: the default of 1
 * applies, and a kernel that does not fit is reported when weights are matched.
 */
export function withDepthMultiplier(config: KerasConfig, className: string, layer: string | undefined,
                                    inputShape: readonly number[] | undefined,
                                    manifest: readonly ManifestEntry[] | undefined): KerasConfig {
  if (!DEPTHWISE_CLASSES.has(className) || layer === undefined || manifest === undefined || config.has("depth_multiplier")) {
    return config;
  }
  const key = `${layer}/depthwise_kernel`;
  const kernels = manifest.filter((e) => {
    if (e.optimizer) return false;
    const name = e.name.replace(/:\d+$/, "");
    return name === key || name.endsWith(`/${key}`);
  });
  if (kernels.length !== 1) return config;
  const shape = kernels[0]!.shape;
  const channels = inputShape?.[inputShape.length - 1];
  if (shape.length !== 4 || shape[2] !== channels || !Number.isInteger(shape[3]) || shape[3]! < 1) return config;
  return new KerasConfig({ ...config.value, depth_multiplier: shape[3] }, config.path);
}
