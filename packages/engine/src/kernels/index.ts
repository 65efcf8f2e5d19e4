/** Public surface of the numeric kernels (WASM SIMD with plain-TS fallbacks). */
export { FactorMatrix } from './factorMatrix.ts';
export { gram } from './gram.ts';
export { sparseGram, type SparseGramOptions } from './sparseGram.ts';
export { invertSpdF32, type InvertOptions } from './spdInverse.ts';
export { choleskyInPlace, invertSpd, solveSpd, NotPositiveDefiniteError } from './dense.ts';
export { topKJs } from './topk.ts';
export { selectTopK } from './topkFast.ts';
export { dotJs, scoreRowsJs } from './factorJs.ts';
export { kernelBackend, setKernelBackend, wasmSimdSupported, availableWasmKernels, type KernelBackend } from './wasm.ts';
