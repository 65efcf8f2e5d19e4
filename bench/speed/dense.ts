// EASE-style dense algebra: XᵀX of a sparse binary matrix (sparseGram) and the inverse of
// XᵀX + λI (invertSpdF32, blocked Gauss-Jordan in WASM SIMD) at 10k items, its float32 accuracy
// against the float64 reference, and a comparison with onnxruntime-node's Inverse when installed.
// Run alone with `npx tsx bench/speed/dense.ts` (writes its BENCHMARKS.md section), or import
// benchDense from the bench/speed.ts orchestrator (returns markdown only).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { CsrMatrix } from '../../packages/engine/src/data/csr.ts';
import { Rng } from '../../packages/engine/src/data/rng.ts';
import { invertSpd } from '../../packages/engine/src/kernels/dense.ts';
import { sparseGram } from '../../packages/engine/src/kernels/sparseGram.ts';
import { invertSpdF32 } from '../../packages/engine/src/kernels/spdInverse.ts';
import { kernelBackend, setKernelBackend } from '../../packages/engine/src/kernels/wasm.ts';
import { table, writeSection } from '../report.ts';
import { loadOrt, ortInverter } from './ortInverse.ts';

const ITEMS = 10_000;
const USERS = 50_000;
const LAMBDA = 200;

/** Wall and CPU seconds of one call (CPU time is what it costs on an idle core; the machine is shared). */
async function timeOnce<T>(fn: () => T | Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1e6 };
}
const secs = (t: { wall: number; cpu: number }): string => `${t.wall.toFixed(2)} (CPU ${t.cpu.toFixed(2)})`;

/** Users × items binary matrix with Zipf-like item popularity, 5–60 items per user. */
function syntheticImplicit(rng: Rng): CsrMatrix {
  const indptr = new Int32Array(USERS + 1);
  const cols: number[] = [];
  const seen = new Set<number>();
  for (let u = 0; u < USERS; u++) {
    seen.clear();
    const want = 5 + rng.int(56);
    while (seen.size < want) seen.add(Math.min(ITEMS - 1, Math.floor(ITEMS * rng.next() ** 2.5)));
    cols.push(...[...seen].sort((a, b) => a - b));
    indptr[u + 1] = cols.length;
  }
  return { rows: USERS, cols: ITEMS, indptr, indices: Int32Array.from(cols), data: new Float32Array(cols.length).fill(1) };
}

/** The leading n×n block of a row-major N×N matrix. */
function leading(g: Float32Array, N: number, n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out.set(g.subarray(i * N, i * N + n), i * n);
  return out;
}

function maxRelDiff(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs((x[i] as number) - (ref[i] as number)));
    m = Math.max(m, Math.abs(ref[i] as number));
  }
  return d / m;
}

/** EASE item weights B = I − P·diag(1/diag P) with a zero diagonal, from an inverse P. */
function easeWeights(p: ArrayLike<number>, n: number): Float64Array {
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) b[i * n + j] = -(p[i * n + j] as number) / (p[j * n + j] as number);
  return b;
}

/**
 * Figures from the last run with onnxruntime-node installed (2026-11-28, this 2-core machine under
 * a load average of ~15 from other work, hence wall ≫ CPU), so the comparison stays visible
 * without the 290 MB package. Seconds wall (CPU).
 */
const RECORDED_ORT: Array<Array<string | number>> = [
  [2000, '2.21 (CPU 0.78)', '3.06 (CPU 1.06)', '1.35', '5.6e-7'],
  [5000, '23.15 (CPU 7.38)', '59.39 (CPU 16.14)', '2.19', '9.5e-7'],
  [10000, '318.52 (CPU 48.62)', '503.42 (CPU 128.16)', '2.64', '1.8e-6'],
];

export async function benchDense(opts: { sizes?: number[] } = {}): Promise<string> {
  const load = loadavg()[0]?.toFixed(1);
  const rng = new Rng(11);
  const x = syntheticImplicit(rng);
  const gramT = await timeOnce(() => sparseGram(x, ITEMS, { diagonal: LAMBDA }));
  const g = gramT.value;
  const invT = await timeOnce(() => invertSpdF32(g, ITEMS));
  const lines: string[] = [];
  lines.push(
    `EASE on synthetic implicit data: ${USERS.toLocaleString('en-US')} users × ${ITEMS.toLocaleString('en-US')} items, ${x.indices.length.toLocaleString('en-US')} interactions, λ = ${LAMBDA}. ` +
      `Seconds wall (CPU in parentheses; the machine is shared, 1-min load average ${load} at start). Kernel backend: ${kernelBackend()}.`,
    '',
    table(['step', 'seconds'], [
      ['sparseGram XᵀX + λI (dense 10k×10k f32, JS)', secs(gramT)],
      ['invertSpdF32 10k×10k (WASM SIMD, blocked Gauss-Jordan, 1 thread)', secs(invT)],
    ]),
  );

  // float32 accuracy against the float64 Cholesky inverse, on the leading 1000 items
  const n = 1000;
  const sub = leading(g, ITEMS, n);
  const ref = await timeOnce(() => invertSpd(sub, n));
  const f32 = await timeOnce(() => invertSpdF32(sub, n));
  setKernelBackend('js');
  const f32js = await timeOnce(() => invertSpdF32(sub, n));
  setKernelBackend(undefined);
  const wRef = easeWeights(ref.value, n);
  lines.push(
    '',
    `Accuracy and fallbacks at n = ${n} (leading block of the same XᵀX + λI): max |Δ| / max |ref| of the inverse and of the EASE weights B against the float64 Cholesky reference.`,
    '',
    table(['inverse', 'seconds', 'rel. error of P⁻¹', 'rel. error of B'], [
      ['invertSpd (f64 Cholesky, plain JS, reference)', secs(ref), '0', '0'],
      ['invertSpdF32 (WASM SIMD)', secs(f32), maxRelDiff(f32.value, ref.value).toExponential(1), maxRelDiff(easeWeights(f32.value, n), wRef).toExponential(1)],
      ['invertSpdF32 (plain-JS fallback)', secs(f32js), maxRelDiff(f32js.value, ref.value).toExponential(1), maxRelDiff(easeWeights(f32js.value, n), wRef).toExponential(1)],
    ]),
  );

  const ort = loadOrt();
  const sizes = opts.sizes ?? [2000, 5000, 10000];
  if (ort) {
    const inverse = await ortInverter(ort);
    const rows: Array<Array<string | number>> = [];
    for (const m of sizes) {
      const a = m === ITEMS ? g : leading(g, ITEMS, m);
      const ours = m === ITEMS ? invT : await timeOnce(() => invertSpdF32(a, m));
      const theirs = await timeOnce(() => inverse(a, m));
      rows.push([m, secs(ours), secs(theirs), (theirs.cpu / ours.cpu).toFixed(2), maxRelDiff(ours.value, theirs.value).toExponential(1)]);
    }
    lines.push(
      '',
      'Against onnxruntime-node 1.30.0 `Inverse` (com.microsoft, float32, 1 intra-op thread), same matrices:',
      '',
      table(['n', 'invertSpdF32 WASM s', 'onnxruntime s', 'ORT CPU / ours CPU', 'max rel. diff'], rows),
    );
  } else if (RECORDED_ORT.length > 0) {
    lines.push('', 'onnxruntime-node 1.30.0 `Inverse` (com.microsoft, float32, 1 intra-op thread) is not installed; figures recorded when it was, same matrices:', '', table(['n', 'invertSpdF32 WASM s', 'onnxruntime s', 'ORT CPU / ours CPU', 'max rel. diff'], RECORDED_ORT));
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const md = await benchDense();
  console.log(md);
  writeSection('speed-dense', 'Dense algebra for EASE (XᵀX, SPD inverse)', 'npx tsx bench/speed/dense.ts', md);
}
