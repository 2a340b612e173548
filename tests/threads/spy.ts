// Watches the calling thread's wasm instance, to show that a split engages:
// every instance made on this thread through WebAssembly.instantiate (the
// one-thread backend's, the threaded backend's calling instance) has its
// exports wrapped, and each call's size argument is recorded. When a call
// splits, the calling thread runs part 0 only: a smaller size of the same
// export, or a range export (channelMomentsChannels...) that nothing else
// calls. Workers instantiate in their own threads, unwatched.

/** Which argument of each watched export is the size that a split cuts (floats, rows, outer rows, dx rows). */
const SIZE_AT: Readonly<Record<string, number>> = {
  sgdUpdate: 3, adamUpdate: 4, dropoutForward: 3, maximumBackward: 4, softmax: 2, softmaxBackward: 3,
  channelAffine: 4, channelMoments: 2, batchNormBackward: 9, copyRows: 2,
  // The geometry's inHeight: input gradients at batch 1 split by rows of dx.
  conv2dBackwardInput: 1, depthwiseConv2dBackwardInput: 1, maxPool2dBackward: 1, avgPool2dBackward: 1,
  // Threaded-only exports: the channel ranges' ends (c1), the dx pass's rows.
  channelMomentsChannels: 7, batchNormBackwardChannels: 12, batchNormBackwardDx: 8,
};

export interface ExportSpy {
  /** The largest size argument this thread passed to `name` since the last reset (0: not called). */
  largest(name: string): number;
  /** Forgets what was recorded. */
  reset(): void;
}

/** Wraps WebAssembly.instantiate for the rest of this test file (each file runs in a worker of its own). */
export function spyOnExports(): ExportSpy {
  const largest = new Map<string, number>();
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  const watch = (instance: WebAssembly.Instance): WebAssembly.Instance => {
    const exports: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(instance.exports)) {
      const at = SIZE_AT[name];
      if (typeof value !== "function" || at === undefined) {
        exports[name] = value;
        continue;
      }
      const run = value as (...args: number[]) => unknown;
      exports[name] = (...args: number[]) => {
        largest.set(name, Math.max(largest.get(name) ?? 0, args[at]!));
        return run(...args);
      };
    }
    return Object.create(WebAssembly.Instance.prototype, { exports: { value: exports } }) as WebAssembly.Instance;
  };
  (WebAssembly as { instantiate: unknown }).instantiate = async (source: unknown, imports?: WebAssembly.Imports) => {
    const result = await (instantiate as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>)(source, imports);
    if (result instanceof WebAssembly.Instance) return watch(result);
    const { module, instance } = result as WebAssembly.WebAssemblyInstantiatedSource;
    return { module, instance: watch(instance) };
  };
  return { largest: (name) => largest.get(name) ?? 0, reset: () => largest.clear() };
}
