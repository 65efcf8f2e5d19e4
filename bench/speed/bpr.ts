// BPR SGD samples per second at 64 factors on the last.fm-360k-shaped synthetic set.
// Run alone with `npx tsx bench/speed/bpr.ts`, or from the bench/speed.ts orchestrator.
import { pathToFileURL } from 'node:url';
import type { CsrMatrix } from '../../packages/engine/src/data/csr.ts';
import { Rng } from '../../packages/engine/src/data/rng.ts';
import { hogwildTrainer } from '../../packages/engine/src/models/bpr/hogwildNode.ts';
import { entryRows, type BprState } from '../../packages/engine/src/models/bpr/sgd.ts';
import { trainBprJs, type BprTrainer } from '../../packages/engine/src/models/bpr/train.ts';
import { bprWasmAvailable, trainBprWasm } from '../../packages/engine/src/models/bpr/wasmBpr.ts';
import { table } from '../report.ts';
import { load, median, since, stamp, type Stamp } from './measure.ts';
import { lastfmShaped } from './synthetic.ts';

const F = 64;

function state(m: CsrMatrix): BprState {
  const rng = new Rng(2);
  const init = (n: number): Float32Array => Float32Array.from({ length: n * F }, () => (rng.next() - 0.5) / F);
  return { matrix: m, entryUser: entryRows(m), userFactors: init(m.rows), itemFactors: init(m.cols), itemBias: new Float32Array(m.cols), factors: F };
}

export async function benchBpr(data?: CsrMatrix, opts: { samples?: number } = {}): Promise<string> {
  const m = data ?? lastfmShaped();
  const samples = opts.samples ?? 2_000_000;
  const rows: Array<Array<string | number>> = [];
  const rate = (n: number, s: number): string => `${(n / s / 1e6).toFixed(2)} M`;

  // single thread: the JS reference and the WASM kernel, median of 3 batches after a warm-up
  const single = async (label: string, trainer: BprTrainer): Promise<void> => {
    const marks: Stamp[] = [];
    await trainer({ state: state(m), epochs: 4, learningRate: 0.05, regularization: 0.01, samplesPerEpoch: samples, seed: 1, onProgress: () => void marks.push(stamp()) });
    const d: Stamp[] = [];
    for (let k = 1; k < marks.length; k++) d.push(since(marks[k - 1]!, marks[k]!));
    rows.push([label, rate(samples, median(d.map((x) => x.wall))), rate(samples, median(d.map((x) => x.cpu))), load()]);
  };
  await single('JS SGD, 1 thread', trainBprJs);
  if (bprWasmAvailable(F)) await single('WASM SIMD SGD, 1 thread', (job) => void trainBprWasm(job));
  await single(bprWasmAvailable(F) ? 'WASM SIMD SGD, Hogwild over 2 worker threads (shared memory)' : 'JS SGD, Hogwild over 2 worker threads', hogwildTrainer({ threads: 2 }));
  return [
    `BPR, ${F} factors + item bias, uniform negatives, on ${(m.indices.length / 1e6).toFixed(1)}M entries (${(m.rows / 1000).toFixed(0)}k users × ${(m.cols / 1000).toFixed(0)}k items). ${(samples / 1e6).toFixed(0)}M samples per measurement, median over epochs 2…4 of a 4-epoch fit. "per CPU-second" divides by process CPU time over all threads, i.e. the per-core rate. Target: ≥ 1.5 M samples/s per core.`,
    '',
    table(['trainer', 'samples / s (wall)', 'samples / CPU-second', 'load avg'], rows),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await benchBpr());
