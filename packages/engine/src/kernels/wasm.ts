import { wasmBinaries } from './generated/wasmBinaries.ts';

/**
 * Loads the embedded WebAssembly kernels (base64 in a generated module, so the pure engine never
 * touches the disk) and decides which backend the kernels use. The default is WASM when the
 * binaries exist and the runtime supports SIMD, JS otherwise; the host (the server, a benchmark)
 * may force one with setKernelBackend, since the engine reads no environment.
 */
export type KernelBackend = 'js' | 'wasm';

// The smallest module using a v128 instruction: (func (result v128) v128.const 0) — validating it
// tells whether this runtime has fixed-width SIMD without compiling a real kernel.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

let simd: boolean | undefined;
/** Whether this runtime validates WebAssembly fixed-width SIMD. */
export function wasmSimdSupported(): boolean {
  if (simd === undefined) {
    try {
      simd = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
    } catch {
      simd = false;
    }
  }
  return simd;
}

function decodeBase64(text: string): Uint8Array {
  // atob exists in browsers, workers and Node ≥ 16; no Buffer so the same code runs everywhere
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const modules = new Map<string, WebAssembly.Module | null>();

/**
 * The compiled module for a kernel, or null when it is missing or cannot compile here. Compiles
 * synchronously (the modules are a few KB, under browsers' main-thread limit for sync compiles).
 */
export function kernelModule(name: string): WebAssembly.Module | null {
  let mod = modules.get(name);
  if (mod === undefined) {
    mod = null;
    const b64 = wasmBinaries[name];
    if (b64 && wasmSimdSupported()) {
      try {
        mod = new WebAssembly.Module(decodeBase64(b64) as Uint8Array<ArrayBuffer>);
      } catch {
        mod = null;
      }
    }
    modules.set(name, mod);
  }
  return mod;
}

/** Names of the kernels whose WASM modules are embedded and compile on this runtime. */
export function availableWasmKernels(): string[] {
  return Object.keys(wasmBinaries).filter((name) => kernelModule(name) !== null);
}

let forced: KernelBackend | undefined;

/** Forces a backend ('wasm' falls back to 'js' per kernel when a module is unavailable); undefined restores the default. */
export function setKernelBackend(backend: KernelBackend | undefined): void {
  forced = backend;
}

/** The backend kernels use now: 'wasm' only when not forced to 'js' and the kernels are usable. */
export function kernelBackend(): KernelBackend {
  if (forced === 'js') return 'js';
  return kernelModule('factor') !== null && kernelModule('dense') !== null ? 'wasm' : 'js';
}

/** Whether a given kernel module should be used now (backend 'wasm' and the module compiled). */
export function useWasm(name: string): boolean {
  return forced !== 'js' && kernelModule(name) !== null;
}

/** WebAssembly pages (64 KiB) needed for `bytes`. */
export function pagesFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 65536));
}

/** Largest memory a wasm32 instance may have (4 GiB). */
export const MAX_WASM_BYTES = 65536 * 65536;

/**
 * Instantiates `name` over a fresh memory of at least `bytes` bytes; the memory never grows, so
 * views on it never detach. Null when the module is unavailable or the memory cannot be had
 * (over 4 GiB, or the runtime refuses the reservation), so callers fall back to JS.
 */
export function instantiateWithMemory<T>(name: string, bytes: number): { exports: T; memory: WebAssembly.Memory } | null {
  const mod = kernelModule(name);
  if (!mod || bytes > MAX_WASM_BYTES) return null;
  const pages = pagesFor(bytes);
  try {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(mod, { env: { memory } });
    return { exports: instance.exports as unknown as T, memory };
  } catch {
    return null;
  }
}
