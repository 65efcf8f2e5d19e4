// BPR SGD samples per second at 64 factors on the last.fm-360k-shaped synthetic set.
// Run alone with `npx tsx bench/speed/bpr.ts`, or from the bench/speed.ts orchestrator.
import { pathToFileURL } from 'node:url';
import type { CsrMatrix } from '../../packages/engine/src/data/csr.ts';
import { Rng } from '../../packages/engine/src/data/rng.ts';
import { hogwildTrainer } from '../../packages/engine/src/models/bpr/hogwildNode.ts';
import { bprSgd, entryRows, type BprState } from '../../packages/engine/src/models/bpr/sgd.ts';
import { table } from '../report.ts';
import { load, median, since, stamp, type Stamp } from './measure.ts';
import { lastfmShaped } from './synthetic.ts';

const F = 64;

function state(m: CsrMatrix): BprState {
  const rng = new Rng(2);
  const init = (n: number): Float32Array => Float32Array.from({ length: n * F }, () => (rng.next() - 0.5) / F);
  return { matrix: m, entryUser: entryRows(m), userFactors: init(m.rows), itemFactors: init(m.cols), itemBias: new Float32Array(m.cols), factors: F };
}

export async function benchBpr(data?: CsrMatrix, opts: { samples?: number; epochs?: number } = {}): Promise<string> {
  const m = data ?? lastfmShaped();
  const samples = opts.samples ?? 4_000_000;
  const rows: Array<Array<string | number>> = [];
  const rate = (n: number, s: number): string => `${(n / s / 1e6).toFixed(2)} M`;

  const s1 = state(m);
  bprSgd(s1, { learningRate: 0.05, regularization: 0.01, samples: 200_000, seed: 1 }); // warm-up (JIT)
  const reps: Stamp[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = stamp();
    bprSgd(s1, { learningRate: 0.05, regularization: 0.01, samples, seed: 2 + r });
    reps.push(since(t0));
  }
  const wall = median(reps.map((r) => r.wall));
  const cpu = median(reps.map((r) => r.cpu));
  rows.push(['JS SGD, 1 thread', rate(samples, wall), rate(samples, cpu), load()]);

  const s2 = state(m);
  const epochs = opts.epochs ?? 4;
  const marks: Stamp[] = [];
  await hogwildTrainer({ threads: 2 })({
    state: s2,
    epochs,
    learningRate: 0.05,
    regularization: 0.01,
    samplesPerEpoch: samples,
    seed: 3,
    onProgress: () => void marks.push(stamp()),
  });
  const hw: Stamp[] = [];
  for (let k = 1; k < marks.length; k++) hw.push(since(marks[k - 1]!, marks[k]!));
  const hwWall = median(hw.map((x) => x.wall));
  const hwCpu = median(hw.map((x) => x.cpu));
  rows.push(['JS SGD, Hogwild over 2 worker threads', rate(samples, hwWall), rate(samples, hwCpu), load()]);
  return [
    `BPR, ${F} factors + item bias, uniform negatives, on ${(m.indices.length / 1e6).toFixed(1)}M entries (${(m.rows / 1000).toFixed(0)}k users × ${(m.cols / 1000).toFixed(0)}k items). ${(samples / 1e6).toFixed(0)}M samples per measurement, median of 3 (Hogwild: of epochs 2…${epochs}). "per CPU-second" divides by process CPU time over all threads, i.e. the per-core rate. Target: ≥ 1.5 M samples/s per core.`,
    '',
    table(['trainer', 'samples / s (wall)', 'samples / CPU-second', 'load avg'], rows),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await benchBpr());
