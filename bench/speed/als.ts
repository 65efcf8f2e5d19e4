// ALS seconds per iteration at 64 factors on the last.fm-360k-shaped synthetic set.
// Run alone with `npx tsx bench/speed/als.ts`, or from the bench/speed.ts orchestrator.
import { pathToFileURL } from 'node:url';
import { transpose, type CsrMatrix } from '../../packages/engine/src/data/csr.ts';
import { Rng } from '../../packages/engine/src/data/rng.ts';
import { randomFactors } from '../../packages/engine/src/models/als/als.ts';
import { alsNodeTrainer } from '../../packages/engine/src/models/als/alsNode.ts';
import { trainAlsJs, type AlsJob, type AlsTrainer } from '../../packages/engine/src/models/als/train.ts';
import { trainAlsWasm, wasmAlsAvailable } from '../../packages/engine/src/models/als/wasmAls.ts';
import { table } from '../report.ts';
import { load, median, since, stamp, type Stamp } from './measure.ts';
import { lastfmShaped } from './synthetic.ts';

const F = 64;

interface Timing {
  wallPerIter: number;
  cpuPerIter: number;
  total: number;
}

/** Runs `iterations` ALS iterations and times the steady-state ones (all but the first). */
async function timeTrainer(m: CsrMatrix, t: CsrMatrix, trainer: AlsTrainer, iterations: number): Promise<Timing> {
  const rng = new Rng(1);
  const marks: Stamp[] = [];
  const job: AlsJob = {
    userItems: m,
    itemUsers: t,
    userFactors: randomFactors(m.rows, F, rng),
    itemFactors: randomFactors(m.cols, F, rng),
    factors: F,
    iterations,
    regularization: 0.1,
    alpha: 1,
    cgSteps: 3,
    onProgress: () => void marks.push(stamp()),
  };
  const start = stamp();
  await trainer(job);
  const total = since(start).wall;
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let k = 1; k < marks.length; k++) {
    const d = since(marks[k - 1]!, marks[k]!);
    walls.push(d.wall);
    cpus.push(d.cpu);
  }
  return { wallPerIter: median(walls), cpuPerIter: median(cpus), total };
}

/** The first `share` of the users (all items), for the slow JS reference. */
function userSample(m: CsrMatrix, share: number): CsrMatrix {
  const rows = Math.round(m.rows * share);
  const nnz = m.indptr[rows] as number;
  return { rows, cols: m.cols, indptr: m.indptr.slice(0, rows + 1), indices: m.indices.subarray(0, nnz), data: m.data.subarray(0, nnz) };
}

export async function benchAls(data?: CsrMatrix, opts: { iterations?: number; sample?: number } = {}): Promise<string> {
  const m = data ?? lastfmShaped();
  const t = transpose(m);
  // four iterations give three timed ones, so the median is not just the slower of two
  const iterations = opts.iterations ?? 4;
  const rows: Array<Array<string | number>> = [];
  const fmt = (x: number): string => x.toFixed(2);
  const desc = `${(m.rows / 1000).toFixed(0)}k × ${(m.cols / 1000).toFixed(0)}k, ${(m.indices.length / 1e6).toFixed(1)}M entries`;
  if (wasmAlsAvailable(F)) {
    const two = await timeTrainer(m, t, alsNodeTrainer({ threads: 2 }), iterations);
    rows.push(['WASM SIMD CG, 2 worker threads', desc, fmt(two.wallPerIter), fmt(two.cpuPerIter), load()]);
    const one = await timeTrainer(m, t, (job) => void trainAlsWasm(job), iterations);
    rows.push(['WASM SIMD CG, 1 thread', desc, fmt(one.wallPerIter), fmt(one.cpuPerIter), load()]);
  }
  // plain JS is too slow for the full set on a shared machine: compare on a user sample
  const share = opts.sample ?? 0.05;
  const sm = userSample(m, share);
  const st = transpose(sm);
  const sdesc = `first ${share * 100} % of users: ${(sm.indices.length / 1e6).toFixed(2)}M entries`;
  const js = await timeTrainer(sm, st, trainAlsJs, 2);
  rows.push(['plain JS CG, 1 thread', sdesc, fmt(js.wallPerIter), fmt(js.cpuPerIter), load()]);
  if (wasmAlsAvailable(F)) {
    const w = await timeTrainer(sm, st, (job) => void trainAlsWasm(job), iterations);
    rows.push(['WASM SIMD CG, 1 thread', sdesc, fmt(w.wallPerIter), fmt(w.cpuPerIter), load()]);
  }
  return [
    `Implicit ALS, ${F} factors, 3 CG steps per row, one iteration = item half step + user half step. Median over the iterations after the first (${iterations} run with WASM, 2 with plain JS). CPU s is process CPU time summed over threads; the machine is shared, so wall time includes waiting for a core. Target: ≤ 5 s/iteration on the full set.`,
    '',
    table(['trainer', 'data', 's / iteration (wall)', 'CPU s / iteration', 'load avg'], rows),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await benchAls());
