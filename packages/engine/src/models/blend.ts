import type { CsrMatrix, SparseVector } from '../data/csr.ts';
import { pack, unpack, type PackedArray } from '../data/pack.ts';
import { topKJs } from '../kernels/topk.ts';
import { BaseRecommender } from './base.ts';
import type { FitContext, ModelFactory, RecommendOptions, Recommender, ScoredItems, UserQuery } from './model.ts';
import { defaultsOf, InvalidParamsError, readParams, type ParamValues } from './params.ts';
import { deserializeTrain, serializeTrain } from './popularity.ts';

/**
 * How the blend reaches the other models. The registry passes itself in, so this module never
 * imports the registry (which imports this module to register the blend).
 */
export interface ModelResolver {
  create(name: string, params?: Record<string, unknown>): Recommender;
  deserialize(bytes: Uint8Array): Recommender;
}

export interface BlendEntry {
  model: string;
  params?: Record<string, unknown>;
  weight: number;
}

/**
 * Children tried by the tuner. Recency-weighted EASE carries the blend; a recency-weighted
 * item-kNN over the history's own neighbour lists adds a little (chosen on P1 validation splits).
 */
const CANDIDATES: BlendEntry[][] = [
  [
    { model: 'ease', params: { lambda: 500, recencyHalfLife: 4, minItemUsers: 5 }, weight: 1 },
    { model: 'item-knn', params: { neighbourhood: 'history', recencyHalfLife: 4 }, weight: 0.3 },
  ],
  [
    { model: 'ease', params: { lambda: 1000, recencyHalfLife: 4, minItemUsers: 5 }, weight: 1 },
    { model: 'item-knn', params: { neighbourhood: 'history', recencyHalfLife: 4 }, weight: 0.3 },
  ],
  [
    { model: 'ease', params: { lambda: 400, recencyHalfLife: 3, minItemUsers: 5 }, weight: 1 },
    { model: 'item-knn', params: { neighbourhood: 'history', recencyHalfLife: 3 }, weight: 0.3 },
  ],
  [
    { model: 'ease', params: { lambda: 500, recencyHalfLife: 4, minItemUsers: 5 }, weight: 1 },
    { model: 'rp3beta', params: { alpha: 0.5, beta: 0.5, k: 200, recencyHalfLife: 4 }, weight: 0.3 },
  ],
];

const SPEC = {
  /** the children: [{ model, params, weight }] */
  models: { type: 'json', default: CANDIDATES[0] },
  /**
   * minmax / zscore: per-user normalized scores, weighted sum; rrf: weighted reciprocal rank
   * Σ weight / (rrfK + rank). Normalization ignores the user's history items, whose scores are
   * often extreme and never recommended.
   */
  fusion: { type: 'enum', default: 'zscore', values: ['minmax', 'zscore', 'rrf'] },
  rrfK: { type: 'number', default: 60, min: 0 },
} as const;

type Params = ParamValues<typeof SPEC>;

function readEntries(value: unknown): BlendEntry[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidParamsError('blend', 'models', 'must be a non-empty list of { model, params, weight }');
  return value.map((e: unknown, k) => {
    if (typeof e !== 'object' || e === null) throw new InvalidParamsError('blend', 'models', `entry ${k} must be an object`);
    const { model, params, weight, ...rest } = e as Record<string, unknown>;
    if (Object.keys(rest).length) throw new InvalidParamsError('blend', 'models', `entry ${k} has unknown keys ${Object.keys(rest).join(', ')}`);
    if (typeof model !== 'string') throw new InvalidParamsError('blend', 'models', `entry ${k} needs a model name`);
    if (model === 'blend') throw new InvalidParamsError('blend', 'models', `entry ${k}: blends cannot nest`);
    const w = weight ?? 1;
    if (typeof w !== 'number' || !Number.isFinite(w)) throw new InvalidParamsError('blend', 'models', `entry ${k} weight must be a finite number`);
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      throw new InvalidParamsError('blend', 'models', `entry ${k} params must be an object`);
    }
    return { model, params: (params ?? {}) as Record<string, unknown>, weight: w };
  });
}

/**
 * Fuses several models' per-user scores into one ranking. Fitting, fold-in and serialization
 * pass through to the children.
 */
export class Blend extends BaseRecommender {
  readonly name = 'blend';
  private readonly p: Params;
  private readonly entries: BlendEntry[];
  private children: Recommender[];

  constructor(
    private readonly resolver: ModelResolver,
    params: Record<string, unknown> = {},
    children?: Recommender[],
  ) {
    const p = readParams('blend', SPEC, params);
    const entries = readEntries(p.models);
    super({ ...p, models: entries });
    this.p = p;
    this.entries = entries;
    this.children = children ?? entries.map((e) => resolver.create(e.model, e.params));
  }

  /**
   * A blend over children that are already fitted on `matrix` (e.g. to try weights without
   * refitting). Entries are taken from the children's names and params.
   */
  static ofFitted(resolver: ModelResolver, matrix: CsrMatrix, children: { model: Recommender; weight: number }[], fusion: Params['fusion'] = 'zscore', rrfK = 60): Blend {
    const models = children.map((c) => ({ model: c.model.name, params: { ...c.model.params }, weight: c.weight }));
    const b = new Blend(resolver, { models, fusion, rrfK }, children.map((c) => c.model));
    b.train = matrix;
    return b;
  }

  fit(matrix: CsrMatrix, ctx: FitContext = {}): void | Promise<void> {
    this.resetTraining(matrix);
    const n = this.children.length;
    const pending: Promise<void>[] = [];
    this.children.forEach((child, k) => {
      const childCtx: FitContext = { ...ctx, onProgress: ctx.onProgress && ((f, msg) => ctx.onProgress?.((k + f) / n, `${child.name}: ${msg ?? ''}`)) };
      const r = child.fit(matrix, childCtx);
      if (r instanceof Promise) pending.push(r);
    });
    if (pending.length) return Promise.all(pending).then(() => undefined);
  }

  scoreAll(query: UserQuery, out?: Float32Array): Float32Array {
    const scores = out ?? new Float32Array(this.numItems);
    scores.fill(0);
    const inHistory = new Uint8Array(this.numItems);
    for (const i of this.history(query).indices) if (i >= 0 && i < inHistory.length) inHistory[i] = 1;
    const child = new Float32Array(this.numItems);
    this.children.forEach((model, k) => {
      model.scoreAll(query, child);
      const w = (this.entries[k] as BlendEntry).weight;
      if (this.p.fusion === 'rrf') addReciprocalRanks(child, inHistory, w, this.p.rrfK, scores);
      else addNormalized(child, inHistory, w, this.p.fusion === 'zscore', scores);
    });
    return scores;
  }

  similarItems(item: number, n: number, opts: Omit<RecommendOptions, 'excludeHistory'> = {}): ScoredItems {
    // children's lists fused by reciprocal rank: similarity scales differ too much across models to add them
    const depth = Math.max(4 * n, 100);
    const fused = new Float32Array(this.numItems).fill(-Infinity);
    this.children.forEach((model, k) => {
      const w = (this.entries[k] as BlendEntry).weight;
      const list = model.similarItems(item, depth, opts);
      for (let r = 0; r < list.items.length; r++) {
        const j = list.items[r] as number;
        const prev = fused[j] as number;
        fused[j] = (prev === -Infinity ? 0 : prev) + w / (this.p.rrfK + r + 1);
      }
    });
    return topKJs(fused, n, this.skipMask([...(opts.exclude ?? []), item]), opts.candidates);
  }

  protected override onUserUpdated(user: number, history: SparseVector): void {
    for (const c of this.children) c.updateUser(user, history);
  }

  /** The fitted children, in entry order. */
  models(): readonly Recommender[] {
    return this.children;
  }

  serialize(): Uint8Array {
    const arrays: Record<string, PackedArray> = serializeTrain(this.train, {});
    this.children.forEach((c, k) => (arrays[`child${k}`] = c.serialize()));
    return pack({ name: this.name, params: this.params, shape: [this.train.rows, this.train.cols], children: this.children.length }, arrays);
  }

  static deserialize(resolver: ModelResolver, bytes: Uint8Array): Blend {
    const { meta, arrays } = unpack<{ params: Record<string, unknown>; shape: [number, number]; children: number }>(bytes);
    const children = Array.from({ length: meta.children }, (_, k) => resolver.deserialize(arrays[`child${k}`] as Uint8Array));
    const b = new Blend(resolver, meta.params, children);
    b.train = deserializeTrain(meta.shape, arrays);
    return b;
  }
}

/** Adds weight × (min-max or z-normalized score), with statistics over non-history finite scores. */
function addNormalized(s: Float32Array, skip: Uint8Array, weight: number, z: boolean, out: Float32Array): void {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < s.length; i++) {
    const v = s[i] as number;
    if (skip[i] || !Number.isFinite(v)) continue;
    n++;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return;
  let shift: number;
  let scale: number;
  if (z) {
    const mean = sum / n;
    const sd = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    shift = mean;
    scale = sd > 0 ? 1 / sd : 0;
  } else {
    shift = min;
    scale = max > min ? 1 / (max - min) : 0;
  }
  for (let i = 0; i < s.length; i++) {
    const v = s[i] as number;
    if (Number.isFinite(v)) out[i] = (out[i] as number) + weight * (v - shift) * scale;
  }
}

/** Adds weight / (k + rank), ranks counted over non-history items (ties: smaller index first). */
function addReciprocalRanks(s: Float32Array, skip: Uint8Array, weight: number, k: number, out: Float32Array): void {
  const order = Array.from({ length: s.length }, (_, i) => i);
  const key = (i: number): number => (Number.isFinite(s[i] as number) ? (s[i] as number) : -Infinity);
  order.sort((a, b) => key(b) - key(a) || a - b);
  let rank = 0;
  for (const i of order) {
    out[i] = (out[i] as number) + weight / (k + rank + 1);
    if (!skip[i]) rank++;
  }
}

export function makeBlendFactory(resolver: ModelResolver): ModelFactory {
  return {
    name: 'blend',
    description: 'blend: weighted fusion of several models (per-user z-score or min-max normalized scores, or reciprocal rank)',
    defaults: defaultsOf(SPEC),
    grid: { models: CANDIDATES, fusion: ['zscore', 'minmax', 'rrf'] },
    create: (params = {}) => new Blend(resolver, params),
    deserialize: (bytes) => Blend.deserialize(resolver, bytes),
  };
}
