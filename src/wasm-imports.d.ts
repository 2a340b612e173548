// The edge entries import the kernel binaries as modules; the runtime or its
// bundler (wrangler, Vercel) resolves them to compiled WebAssembly.Module objects.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
declare module "*.wasm?module" {
  const module: WebAssembly.Module;
  export default module;
}
