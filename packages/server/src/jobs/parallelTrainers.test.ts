import { describe, expect, it } from 'vitest';
import { createModel } from '@attune/engine/models/registry';
import { ImplicitAls } from '@attune/engine/models/als/als';
import { ownClusterShare, plantedFixture } from '@attune/engine/models/als/testing';
import { Bpr } from '@attune/engine/models/bpr/bpr';
import type { AlsJob } from '@attune/engine/models/als/train';
import { installParallelTrainers, parallelAlsTrainer, parallelBprTrainer } from './parallelTrainers.ts';

const fx = plantedFixture();
const entries = fx.matrix.indices.length;

describe('parallel trainers on a Node host', () => {
  it('hands large fits to the worker trainer and keeps small ones on the thread', async () => {
    const calls: AlsJob[] = [];
    const spy = (job: AlsJob): void => void calls.push(job);
    const small = new ImplicitAls({ factors: 8, iterations: 3 }).useTrainer(parallelAlsTrainer(entries + 1, spy));
    await small.fit(fx.matrix);
    expect(calls).toHaveLength(0);
    const large = new ImplicitAls({ factors: 8, iterations: 3 }).useTrainer(parallelAlsTrainer(entries, spy));
    await large.fit(fx.matrix);
    expect(calls).toHaveLength(1);
    let bprCalls = 0;
    const bpr = new Bpr({ factors: 8, epochs: 2 }).useTrainer(parallelBprTrainer(1, () => void bprCalls++));
    await bpr.fit(fx.matrix);
    expect(bprCalls).toBe(1);
  });

  it('fits ALS on two worker threads above the threshold and learns the planted clusters', async () => {
    const als = new ImplicitAls({ factors: 16, iterations: 8, regularization: 1, alpha: 2 }).useTrainer(parallelAlsTrainer(1));
    await als.fit(fx.matrix);
    // 6 planted clusters: most-popular stays near 1/6 of a top-10 in the user's own cluster
    expect(ownClusterShare(als, fx)).toBeGreaterThan(0.8);
  });

  it('leaves registry-created models working and, on small data, identical to the engine default', async () => {
    installParallelTrainers();
    installParallelTrainers(); // idempotent: the CLI and the training worker both install
    const params = { factors: 8, iterations: 4, regularization: 1, alpha: 2 };
    const viaRegistry = createModel('als', params);
    expect(viaRegistry).toBeInstanceOf(ImplicitAls);
    const plain = new ImplicitAls(params);
    await viaRegistry.fit(fx.matrix);
    await plain.fit(fx.matrix);
    expect(viaRegistry.recommend({ user: 3 }, 10)).toEqual(plain.recommend({ user: 3 }, 10));
    expect(createModel('bpr', { factors: 8 })).toBeInstanceOf(Bpr);
  });
});
