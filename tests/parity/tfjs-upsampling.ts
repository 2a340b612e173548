// tfjs-layers for training comparisons, with UpSampling2D rebuilt from ops
// whose gradients tfjs gets right. tfjs-backend-cpu 4.22's
// ResizeNearestNeighborGrad (what UpSampling2D's backward runs) offsets dy
// by the *input's* batch stride (`dyROffset = batchOffset + dyR *
// dyStrides[1]` with `batchOffset = b * imagesStrides[0]`), so every sample
// after the first of a batch reads the wrong gradient rows; a batch of one
// is right. Forward passes keep tfjs' own layer (theirs).
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { Model, type SymbolicTensor } from "simdcnn";
import { ours, theirs, type Describe, type Lib } from "./graphs.js";

/** Nearest-neighbour upsampling by integer factors as reshapes and tiles (the same values). */
class TiledUpSampling2D extends tfl.layers.Layer {
  static readonly className = "TiledUpSampling2D";

  constructor(private readonly size: [number, number], name: string) {
    super({ name });
  }

  override computeOutputShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [n, h, w, c] = shape as tfl.Shape;
    return [n!, h! * this.size[0], w! * this.size[1], c!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const [n, h, w, c] = x.shape as [number, number, number, number];
      const [sh, sw] = this.size;
      // Rows, then columns: tfjs' tile has gradients up to rank 4 only.
      const rows = tf.reshape(tf.tile(tf.reshape(x, [n * h, 1, w * c]), [1, sh, 1]), [n, h * sh, w, c]);
      return tf.reshape(tf.tile(tf.reshape(rows, [n * h * sh * w, 1, c]), [1, sw, 1]), [n, h * sh, w * sw, c]);
    });
  }
}

/** theirs, but with TiledUpSampling2D for upSample. */
export const theirsTrainable: Lib<tfl.SymbolicTensor> = {
  ...theirs,
  upSample: (name, size) => (x) =>
    new TiledUpSampling2D(typeof size === "number" ? [size, size] : size, name).apply(x) as tfl.SymbolicTensor,
};

/** buildBoth with theirsTrainable on the tfjs side. */
export function buildBothTrainable(describe: Describe): { model: Model<SymbolicTensor>; tfModel: tfl.LayersModel } {
  const a = describe(ours);
  const b = describe(theirsTrainable);
  return {
    model: new Model({ inputs: a.inputs, outputs: a.outputs }),
    tfModel: tfl.model({ inputs: b.inputs, outputs: b.outputs }),
  };
}
