// The model-file code that loadModel (load.ts) and Model.save import on
// first use. Both import this one module, not its parts, so that rollup (and
// a user's bundler) make one lazily loaded chunk of src/io/ rather than one
// per import() plus one per module they share (docs/architecture.md, "The
// package"). Internal, like what it re-exports: no declarations ship for it.

/** @internal */
export { readModel } from "./read-model.js";
/** @internal */
export { saveModel } from "./save.js";
/** @internal */
export { weightsPathFor, writeModelFiles } from "./files.js";
