// Types for bench/browser/contestants.mjs.
export declare const contestantIds: readonly ["simdcnn-1", "simdcnn-2", "tfjs-1", "tfjs-2"];
export declare const PAGE_ROWS: readonly string[];
export declare const TFJS_WASM_URL: string;
export declare const TFJS_THREADED_BINARY: string;
