import type { CsrMatrix } from '../data/csr.ts';
import { pack, unpack } from '../data/pack.ts';
import { topKJs } from '../kernels/topk.ts';
import { BaseRecommender } from './base.ts';
import type { FitContext, ModelFactory, RecommendOptions, ScoredItems, UserQuery } from './model.ts';
import { defaultsOf, readParams, type ParamValues } from './params.ts';
import { deserializeTrain, serializeTrain } from './popularity.ts';

const HOUR = 3_600_000;

const SPEC = {
  /** an interaction this many hours old counts half */
  halfLifeHours: { type: 'number', default: 24, min: 0.001 },
  /** interactions older than this are ignored */
  windowDays: { type: 'number', default: 7, min: 0.001 },
  /** sum interaction values instead of counting interactions */
  useValues: { type: 'boolean', default: false },
} as const;

type Params = ParamValues<typeof SPEC>;

export interface TrendingStats {
  /** time-decayed interaction count per item inside the window */
  scores: Float32Array;
  /**
   * per-item change in activity, in interactions per hour: the count of the last half-life
   * minus the count of the half-life before it, divided by the half-life in hours
   */
  velocity: Float32Array;
}

/**
 * Time-decayed counts of one matrix's entries. Without timestamps every entry counts once
 * (plain popularity), and velocity is 0. Entries later than `now` have not happened yet and are
 * ignored, so replaying history with an earlier `now` gives what was trending then.
 */
export function trendingStats(matrix: CsrMatrix, p: Params, timestamps?: Float64Array, now?: number): TrendingStats {
  const scores = new Float32Array(matrix.cols);
  const velocity = new Float32Array(matrix.cols);
  const weight = (q: number): number => (p.useValues ? (matrix.data[q] as number) : 1);
  if (!timestamps) {
    for (let q = 0; q < matrix.indices.length; q++) scores[matrix.indices[q] as number] += weight(q);
    return { scores, velocity };
  }
  if (timestamps.length !== matrix.data.length) throw new RangeError(`timestamps (${timestamps.length}) must align with matrix entries (${matrix.data.length})`);
  let at = now ?? -Infinity;
  if (now === undefined) for (const t of timestamps) if (t > at) at = t;
  const halfLife = p.halfLifeHours * HOUR;
  const window = p.windowDays * 24 * HOUR;
  for (let q = 0; q < matrix.indices.length; q++) {
    const age = at - (timestamps[q] as number);
    if (!(age >= 0)) continue;
    const item = matrix.indices[q] as number;
    const w = weight(q);
    if (age <= window) scores[item] += w * Math.pow(0.5, age / halfLife);
    if (age < halfLife) velocity[item] += w / p.halfLifeHours;
    else if (age < 2 * halfLife) velocity[item] -= w / p.halfLifeHours;
  }
  return { scores, velocity };
}

/** What is popular right now: time-decayed interaction counts over a recent window. Not personalized. */
export class Trending extends BaseRecommender {
  readonly name = 'trending';
  private readonly p: Params;
  private stats: TrendingStats = { scores: new Float32Array(0), velocity: new Float32Array(0) };

  constructor(params: Record<string, unknown> = {}) {
    const p = readParams('trending', SPEC, params);
    super(p);
    this.p = p;
  }

  fit(matrix: CsrMatrix, ctx: FitContext = {}): void {
    this.resetTraining(matrix);
    this.stats = trendingStats(matrix, this.p, ctx.timestamps, ctx.now);
  }

  scoreAll(_query: UserQuery, out?: Float32Array): Float32Array {
    const scores = out ?? new Float32Array(this.numItems);
    scores.set(this.stats.scores);
    return scores;
  }

  /** Trending scores per item (a copy). */
  trendingScores(): Float32Array {
    return this.stats.scores.slice();
  }

  /** Per-item trending velocity (interactions per hour gained over the last half-life), for retrievers. */
  velocity(): Float32Array {
    return this.stats.velocity.slice();
  }

  similarItems(item: number, n: number, opts: Omit<RecommendOptions, 'excludeHistory'> = {}): ScoredItems {
    return topKJs(this.stats.scores, n, this.skipMask([...(opts.exclude ?? []), item]), opts.candidates);
  }

  serialize(): Uint8Array {
    return pack(
      { name: this.name, params: this.params, shape: [this.train.rows, this.train.cols] },
      serializeTrain(this.train, { scores: this.stats.scores, velocity: this.stats.velocity }),
    );
  }

  static deserialize(bytes: Uint8Array): Trending {
    const { meta, arrays } = unpack<{ params: Record<string, unknown>; shape: [number, number] }>(bytes);
    const m = new Trending(meta.params);
    m.train = deserializeTrain(meta.shape, arrays);
    m.stats = { scores: arrays.scores as Float32Array, velocity: arrays.velocity as Float32Array };
    return m;
  }
}

export const trendingFactory: ModelFactory = {
  name: 'trending',
  description: 'trending: time-decayed interaction counts over a recent window (needs timestamps; plain counts without)',
  defaults: defaultsOf(SPEC),
  grid: { halfLifeHours: [6, 24, 72, 168], windowDays: [1, 7, 30] },
  create: (params = {}) => new Trending(params),
  deserialize: (bytes) => Trending.deserialize(bytes),
};
