// The public API of simdcnn — every exported symbol is listed here by name;
// nothing internal is re-exported. Platform entries (index.node.ts,
// index.browser.ts) re-export this after installing their wasm loader.

export { init, capabilities, memory } from "./backend/registry.js";
export type { InitOptions, Capabilities, MemoryInfo, WasmVariant, WasmSource } from "./backend/registry.js";
export type { BackendName } from "./backend/kernels.js";

export { Model, Sequential } from "./model.js";
export type {
  ModelConfig, SequentialOptions, SummaryRow, FeatureMap, PredictInput, PredictOutput, EvaluateResult, ModelMemory,
} from "./model.js";
export { loadModel } from "./io/load.js";
export type {
  SavedModel, ModelJson, WeightsManifestGroup, WeightSpec, WeightQuantization, WeightData, LoadOptions, SaveOptions,
  TrainingConfig,
} from "./io/format.js";
export type { SavedFiles, ModelFile, ModelSource } from "./io/files.js";
export { input, InputLayer } from "./layers/input-layer.js";
export { SymbolicTensor } from "./graph/symbolic.js";
export type { InputConfig } from "./graph/symbolic.js";

export { Optimizer } from "./train/optimizer.js";
export { SGD } from "./train/sgd.js";
export type { SGDConfig } from "./train/sgd.js";
export { Adam } from "./train/adam.js";
export type { AdamConfig } from "./train/adam.js";
export type { OptimizerName } from "./train/optimizers.js";
export type { LossName } from "./train/losses.js";
export type { MetricName } from "./train/metrics.js";
export type { CompileOptions } from "./train/compile.js";
export type { TrainInput, LabelInput } from "./train/trainer.js";
export type { FitOptions, History, BatchLogs, EpochLogs } from "./train/fit.js";

export { tensor, Tensor } from "./tensor.js";

export { Layer } from "./layers/layer.js";
export type { LayerConfig, LayerParam } from "./layers/layer.js";
export { Conv2D } from "./layers/conv2d.js";
export type { Conv2DConfig } from "./layers/conv2d.js";
export { DepthwiseConv2D } from "./layers/depthwise-conv2d.js";
export type { DepthwiseConv2DConfig } from "./layers/depthwise-conv2d.js";
export { SeparableConv2D } from "./layers/separable-conv2d.js";
export type { SeparableConv2DConfig } from "./layers/separable-conv2d.js";
export { Conv2DTranspose } from "./layers/conv2d-transpose.js";
export type { Conv2DTransposeConfig } from "./layers/conv2d-transpose.js";
export { MaxPool2D, AvgPool2D, GlobalAvgPool2D, GlobalMaxPool2D } from "./layers/pooling.js";
export type { Pool2DConfig } from "./layers/pooling.js";
export { ZeroPadding2D, Cropping2D } from "./layers/padding.js";
export type { ZeroPadding2DConfig, Cropping2DConfig } from "./layers/padding.js";
export { UpSampling2D } from "./layers/upsampling.js";
export type { UpSampling2DConfig } from "./layers/upsampling.js";
export { Flatten } from "./layers/flatten.js";
export { Reshape } from "./layers/reshape.js";
export type { ReshapeConfig } from "./layers/reshape.js";
export { Dense } from "./layers/dense.js";
export type { DenseConfig } from "./layers/dense.js";
export { Activation, ReLU, LeakyReLU, Sigmoid, Tanh, Softmax } from "./layers/activation.js";
export type { ActivationConfig, LeakyReLUConfig, ReLUConfig } from "./layers/activation.js";
export type { ActivationName } from "./layers/activations.js";
export type { InitializerName } from "./layers/init.js";
export { Dropout } from "./layers/dropout.js";
export { Add, Multiply, Average, Maximum } from "./layers/merge.js";
export { Concatenate } from "./layers/concatenate.js";
export type { ConcatenateConfig } from "./layers/concatenate.js";
export { BatchNormalization } from "./layers/batch-normalization.js";
export type { BatchNormalizationConfig } from "./layers/batch-normalization.js";
export type { DropoutConfig } from "./layers/dropout.js";
export type { LayerType } from "./layers/registry.js";
export type { Padding } from "./shape.js";

export {
  CnnError, ShapeError, ConfigError, ModelFormatError, BackendError,
  OutOfMemoryError, TrainingDivergedError, DisposedError,
} from "./errors.js";

export { fromPixels } from "./image/pixels.js";
export type { PixelData, PixelSource, PixelNormalization, FromPixelsOptions } from "./image/pixels.js";
export { loadImage } from "./image/load-image.js";
export type { ImageFileSource } from "./image/load-image.js";
export { featureMapGrid, kernelGrid } from "./image/grid.js";
export type { RgbaImage, GridScale, FeatureMapGridOptions, KernelGridOptions, FeatureMapLike } from "./image/grid.js";
