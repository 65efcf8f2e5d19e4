// Exact top-10 over float32 item factors (rows×64): the hot path of every factor model.
// Run alone with `npx tsx bench/speed/scoring.ts` (writes its BENCHMARKS.md section), or import
// benchScoring from the bench/speed.ts orchestrator (returns markdown only).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Rng } from '../../packages/engine/src/data/rng.ts';
import { FactorMatrix } from '../../packages/engine/src/kernels/factorMatrix.ts';
import { scoreRowsJs } from '../../packages/engine/src/kernels/factorJs.ts';
import { topKJs } from '../../packages/engine/src/kernels/topk.ts';
import { kernelBackend, setKernelBackend } from '../../packages/engine/src/kernels/wasm.ts';
import { table, writeSection } from '../report.ts';

const DIM = 64;
const K = 10;

function fillGaussianish(out: Float32Array, rng: Rng): void {
  // sum of two uniforms: cheap, centred, enough spread for realistic top-k thresholds
  for (let i = 0; i < out.length; i++) out[i] = rng.next() + rng.next() - 1;
}

/**
 * Median wall-clock and CPU ms per call of `fn` over `reps` calls after `warmup` calls. The
 * machine is shared, so wall time includes waiting for a core; CPU time (which still counts memory
 * stalls) is what the kernel costs on an idle core. Both are reported.
 */
export function medianMs(fn: (i: number) => void, reps: number, warmup: number): { wall: number; cpu: number } {
  for (let i = 0; i < warmup; i++) fn(i);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn(i);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { wall: median(wall), cpu: median(cpu) };
}

const fmt = (t: { wall: number; cpu: number }): string => `${t.wall.toFixed(2)} (CPU ${t.cpu.toFixed(2)})`;

async function measure(rows: number, reps: number): Promise<Array<string | number>> {
  const rng = new Rng(7);
  const fm = new FactorMatrix(rows, DIM);
  fillGaussianish(fm.data, rng);
  const qm = new FactorMatrix(rows, DIM, { quantized: true });
  qm.data.set(fm.data);
  qm.quantize();
  const queries = Array.from({ length: 8 }, () => {
    const q = new Float32Array(DIM);
    fillGaussianish(q, rng);
    return q;
  });
  const skip = new Uint8Array(rows);
  for (let i = 0; i < rows; i += 97) skip[i] = 1; // a user's history-sized exclusion mask
  setKernelBackend('wasm');
  const none = { wall: Number.NaN, cpu: Number.NaN };
  const wasm = fm.usesWasm ? medianMs((i) => fm.topK(queries[i % queries.length] as Float32Array, K, skip), reps, 3) : none;
  const wasmScoreOnly = fm.usesWasm ? medianMs((i) => fm.scoreView(queries[i % queries.length] as Float32Array), reps, 3) : none;
  let candidates = 0;
  const int8 = qm.usesWasm
    ? medianMs(
        (i) => {
          qm.topK(queries[i % queries.length] as Float32Array, K, skip);
          candidates += qm.lastCandidates;
        },
        reps,
        3,
      )
    : none;
  setKernelBackend(undefined);
  // the plain-JS baseline: the fallback scoring loop plus the reference topKJs heap
  const scores = new Float32Array(rows);
  const js = medianMs(
    (i) => {
      scoreRowsJs(fm.data, rows, DIM, queries[i % queries.length] as Float32Array, scores);
      topKJs(scores, K, skip);
    },
    Math.max(3, Math.floor(reps / 4)),
    1,
  );
  const gbps = (rows * DIM * 4) / (wasmScoreOnly.cpu / 1000) / 1e9;
  return [
    `${rows.toLocaleString('en-US')}×${DIM}`,
    fmt(wasm),
    fmt(int8),
    (candidates / (reps + 3)).toFixed(0),
    fmt(wasmScoreOnly),
    gbps.toFixed(1),
    fmt(js),
    (js.cpu / wasm.cpu).toFixed(1),
  ];
}

/** Markdown table: ms/query for exact top-10, WASM SIMD vs plain JS. */
export async function benchScoring(): Promise<string> {
  const load = loadavg()[0]?.toFixed(1);
  const rows = [await measure(100_000, 40), await measure(1_000_000, 20)];
  return [
    `Exact top-${K} (skip mask of every 97th item) over random float32 item vectors; median of repeated queries, wall ms with CPU ms in parentheses (the machine is shared: 1-min load average ${load} at start). Kernel backend by default: ${kernelBackend()}.`,
    '',
    table(
      ['items × dim', 'WASM f32 sweep top-10 ms/query', 'WASM int8 sweep + exact rescore ms/query', 'rows rescored', 'WASM f32 scoring only ms', 'f32 scoring GB/s (CPU time)', 'plain JS ms/query', 'f32 WASM speed-up (CPU)'],
      rows,
    ),
    '',
    'The int8 sweep (`new FactorMatrix(rows, dim, { quantized: true })` + `quantize()`) reads a quarter of the bytes, bounds every score, and rescores exactly only the rows whose upper bound reaches the k-th best lower bound, so results equal the f32 sweep.',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const md = await benchScoring();
  console.log(md);
  writeSection('speed-scoring', 'Exact top-k scoring (factor models)', 'npx tsx bench/speed/scoring.ts', md);
}
