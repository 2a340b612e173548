// tfjs-layers' model files in memory, for the round trips against it
// (tests/io, and the parity suites that build models from the bench's specs).
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/** tfjs model.save, in memory: the artifacts as a model.json object plus the weight bytes. */
export async function tfSave(model: tfl.LayersModel): Promise<{ modelJson: Record<string, unknown>; weights: ArrayBuffer }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  const a = saved!;
  return {
    modelJson: {
      format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy ?? null, modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ["weights.bin"], weights: a.weightSpecs }],
    },
    weights: a.weightData as ArrayBuffer,
  };
}

/** tfjs loads a model.json object and its weights from memory. */
export async function tfLoad(modelJson: { modelTopology: unknown; weightsManifest: { weights: unknown[] }[] },
                             weights: ArrayBuffer): Promise<tfl.LayersModel> {
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[];
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology as object, weightSpecs: specs, weightData: weights }));
}
