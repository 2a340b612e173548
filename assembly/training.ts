// Entry of the training companions (simd-training.wasm,
// relaxed-simd-training.wasm): the training half of the export surface
// (backward.ts), for a page that loaded the inference binary
// (inference.ts) and then compiles a model. It imports the inference
// instance's memory and keeps its scratch in a block of that memory's arena
// (scratch.ts): it is built with the threads feature for that alone (its
// memory is not shared and it uses no atomics), so it has no static data of
// its own that could overlap the inference binary's. buildId() lets init()
// check that both halves are the same build.

export * from "./backward";
export * from "./scratch";
export { buildId } from "./build-id";
