import { describe, expect, it } from 'vitest';
import { columnCounts, row, transpose, type CsrMatrix } from '../data/csr.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { topKJs } from '../kernels/topk.ts';
import { BaseRecommender } from '../models/base.ts';
import type { ModelFactory, RecommendOptions, ScoredItems, UserQuery } from '../models/model.ts';
import { registerModel } from '../models/registry.ts';
import { autoTune, chooseModel } from './auto.ts';
import { buildEvalData } from './dataset.ts';
import { candidateParams } from './search.ts';
import { perUserTemporalSplit } from './split.ts';
import { runTrial, tuneModel } from './tune.ts';

/**
 * A small co-occurrence model defined here so the tuner test does not depend on which models
 * other modules register: score = Σ_{j ∈ history} co-count(j, i) + popWeight · popularity(i).
 * A large popWeight turns it into most-popular, so the tuner has a planted right answer: 0.
 */
class Cooc extends BaseRecommender {
  readonly name = 'test-cooc';
  private byItem: CsrMatrix | undefined;
  private pop: Float32Array = new Float32Array(0);
  fit(m: CsrMatrix): void {
    this.train = m;
    this.byItem = transpose(m);
    this.pop = columnCounts(m);
  }
  scoreAll(q: UserQuery, out?: Float32Array): Float32Array {
    const s = out ?? new Float32Array(this.numItems);
    const w = this.params.popWeight as number;
    for (let i = 0; i < s.length; i++) s[i] = w * (this.pop[i] as number);
    const byItem = this.byItem as CsrMatrix;
    for (const j of this.history(q).indices) for (const u of row(byItem, j).indices) for (const i of row(this.train, u).indices) s[i]++;
    return s;
  }
  similarItems(_item: number, n: number, _o?: Omit<RecommendOptions, 'excludeHistory'>): ScoredItems {
    return topKJs(this.pop, n);
  }
  serialize(): Uint8Array {
    return new Uint8Array(0);
  }
}
const coocFactory: ModelFactory = {
  name: 'test-cooc',
  description: 'test only',
  defaults: { popWeight: 1000 },
  grid: { popWeight: [1000, 0] },
  create: (p = {}) => new Cooc({ popWeight: 1000, ...p }),
  deserialize: () => {
    throw new Error('not needed');
  },
};
registerModel(coocFactory);
registerModel({
  ...coocFactory,
  name: 'test-broken',
  grid: {},
  create: () => {
    throw new Error('cannot build');
  },
});

const synth = generateSynthetic({ users: 160, items: 120, clusters: 6, interactionsPerUser: 14, seed: 3 });
const split = perUserTemporalSplit(synth.interactions);
const validation = buildEvalData(split.train, split.test);

describe('candidateParams', () => {
  it('defaults first, then the grid, without duplicates', () => {
    const f = { defaults: { a: 1, b: 'x' }, grid: { a: [1, 2], b: ['x', 'y'] } };
    expect(candidateParams(f, 'grid')).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
    expect(candidateParams(f, 'grid', 2)).toHaveLength(2);
    const r1 = candidateParams(f, 'random', 3, 9);
    expect(r1).toEqual(candidateParams(f, 'random', 3, 9));
    expect(r1[0]).toEqual({ a: 1, b: 'x' });
    expect(candidateParams({ defaults: { a: 1 } })).toEqual([{ a: 1 }]);
  });
});

describe('tuner on planted clusters', () => {
  it('tuneModel finds the personalised setting', async () => {
    const r = await tuneModel('test-cooc', validation);
    expect(r.trials).toHaveLength(2);
    expect(r.best.params.popWeight).toBe(0);
    expect(r.best.score).toBeGreaterThan((r.trials[0]?.score ?? 0) + 0.05);
  });

  it('autoTune prefers the co-occurrence model over most-popular', async () => {
    const r = await autoTune(validation, { models: ['popular', 'test-cooc'], blend: false });
    expect(r.model).toBe('test-cooc');
    expect(r.params.popWeight).toBe(0);
    expect(r.perModel.map((m) => m.model)).toEqual(['popular', 'test-cooc']);
  });

  it('tries blends of the top models and keeps one only when it validates better', async () => {
    const r = await autoTune(validation, { models: ['popular', 'test-cooc'] });
    expect(r.blendTrials).toHaveLength(10);
    const cooc = r.perModel[1]?.best.score as number;
    if (r.model === 'blend') {
      expect(r.score).toBeGreaterThan(cooc);
      // the chosen blend refits from its params alone
      const again = await runTrial('blend', r.params, validation);
      expect(again.score).toBeCloseTo(r.score, 10);
    } else expect(r.model).toBe('test-cooc');
  });

  it('a failing candidate is recorded, not fatal', async () => {
    const r = await autoTune(validation, { models: ['test-broken', 'popular'], blend: false });
    expect(r.model).toBe('popular');
    expect(r.perModel[0]?.best.error).toBe('cannot build');
    await expect(autoTune(validation, { models: ['test-broken'] })).rejects.toThrow(/test-broken: cannot build/);
  });

  it('chooseModel carves validation from training rows only (temporal when timed)', async () => {
    const r = await chooseModel(split.train, { models: ['popular', 'test-cooc'], blend: false });
    expect(r.validation).toBe('per-user-temporal');
    expect(r.model).toBe('test-cooc');
  });

  it('fixed parameters pin every candidate and leave the grid', async () => {
    const r = await tuneModel('test-cooc', validation, { fixed: { popWeight: 0 } });
    expect(r.trials.map((t) => t.params)).toEqual([{ popWeight: 0 }]);
  });

  it('a time budget stops grid search after the first trial that exceeds it', async () => {
    let t = 0;
    const clock = () => (t += 1000);
    const r = await tuneModel('test-cooc', validation, { clock, budgetMs: 1 });
    expect(r.trials).toHaveLength(1);
  });
});

describe('auto search', () => {
  it('takes the whole grid when it fits, samples it otherwise', () => {
    const f = { defaults: { a: 0, b: 0 }, grid: { a: [1, 2, 3, 4], b: [1, 2, 3, 4] } };
    expect(candidateParams(f, 'auto', 100)).toHaveLength(17);
    const sampled = candidateParams(f, 'auto', 6, 1);
    expect(sampled).toHaveLength(6);
    // a truncated grid would keep a = 1 throughout; random sampling varies it
    expect(new Set(sampled.slice(1).map((p) => p.a)).size).toBeGreaterThan(1);
  });
});
