import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sparseVector } from '../../data/csr.ts';
import { ownClusterShare, plantedFixture } from '../als/testing.ts';
import { MostPopular } from '../popularity.ts';
import { deserializeModel } from '../registry.ts';
import { Bpr } from './bpr.ts';
import { bprSgd, entryRows } from './sgd.ts';
import { withSharedMemoryImport } from './sharedModule.ts';
import { trainBprJs } from './train.ts';
import { bprWasmAvailable, trainBprWasm } from './wasmBpr.ts';

const fx = plantedFixture();

describe('BPR', () => {
  const bpr = new Bpr({ factors: 16, epochs: 40, learningRate: 0.05, regularization: 0.01 });
  bpr.fit(fx.matrix);

  it('recommends the planted cluster, far better than most-popular', () => {
    const pop = new MostPopular();
    pop.fit(fx.matrix);
    const share = ownClusterShare(bpr, fx);
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeGreaterThan(ownClusterShare(pop, fx) + 0.4);
  });

  it('is deterministic for a seed', () => {
    const again = new Bpr({ factors: 16, epochs: 40, learningRate: 0.05, regularization: 0.01 });
    again.fit(fx.matrix);
    expect(again.userFactors).toEqual(bpr.userFactors);
  });

  it('serialize → deserialize gives identical scores', () => {
    const back = deserializeModel(bpr.serialize());
    expect(back.name).toBe('bpr');
    fc.assert(
      fc.property(fc.nat(fx.matrix.rows - 1), (u) => {
        expect(back.scoreAll({ user: u })).toEqual(bpr.scoreAll({ user: u }));
      }),
      { numRuns: 30 },
    );
    const h = sparseVector([1, 7, 13]);
    expect(back.recommend({ history: h }, 5)).toEqual(bpr.recommend({ history: h }, 5));
  });

  it('folds in a new user towards the cluster of their history', () => {
    const cluster = 3;
    const liked = [...Array(fx.matrix.cols).keys()].filter((i) => fx.itemCluster[i] === cluster).slice(0, 8);
    const u = bpr.numUsers;
    bpr.updateUser(u, sparseVector(liked));
    const rec = bpr.recommend({ user: u }, 10);
    expect(Array.from(rec.items).filter((i) => fx.itemCluster[i] === cluster).length).toBeGreaterThanOrEqual(7);
  });

  it('SGD raises the share of correctly ordered pairs', () => {
    const f = 8;
    const m = fx.matrix;
    const state = {
      matrix: m,
      entryUser: entryRows(m),
      userFactors: Float32Array.from({ length: m.rows * f }, (_, k) => Math.sin(k) * 0.05),
      itemFactors: Float32Array.from({ length: m.cols * f }, (_, k) => Math.cos(k) * 0.05),
      itemBias: new Float32Array(m.cols),
      factors: f,
    };
    const first = bprSgd(state, { learningRate: 0.05, regularization: 0.01, samples: 20_000, seed: 1 });
    for (let e = 0; e < 10; e++) bprSgd(state, { learningRate: 0.05, regularization: 0.01, samples: 20_000, seed: 2 + e });
    const later = bprSgd(state, { learningRate: 0.05, regularization: 0.01, samples: 20_000, seed: 99 });
    expect(later).toBeGreaterThan(first + 0.2);
  });
});

describe('BPR trainers', () => {
  it.runIf(bprWasmAvailable(16))('the WASM kernel follows the JS reference (same samples, f32 arithmetic)', () => {
    const js = new Bpr({ factors: 16, epochs: 10 }, { trainer: trainBprJs });
    js.fit(fx.matrix);
    const wasm = new Bpr({ factors: 16, epochs: 10 }, { trainer: (job) => void expect(trainBprWasm(job)).toBe(true) });
    wasm.fit(fx.matrix);
    let maxDiff = 0;
    for (let k = 0; k < js.itemFactors.length; k++) maxDiff = Math.max(maxDiff, Math.abs((js.itemFactors[k] as number) - (wasm.itemFactors[k] as number)));
    expect(maxDiff).toBeLessThan(1e-3);
  });

  for (const wasm of [true, false]) {
    it(`Hogwild over 2 worker threads (${wasm ? 'WASM on shared memory' : 'JS on SharedArrayBuffers'}) learns the planted clusters`, async () => {
      const { hogwildTrainer } = await import('./hogwildNode.ts');
      const m = new Bpr({ factors: 16, epochs: 40, learningRate: 0.05, regularization: 0.01 }, { trainer: hogwildTrainer({ threads: 2, wasm }) });
      await m.fit(fx.matrix);
      expect(ownClusterShare(m, fx)).toBeGreaterThan(0.7);
    });
  }

  it('patches a kernel to import a shared memory', () => {
    // (module (import "env" "memory" (memory 1))) assembled by hand
    const bytes = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 2, 15, 1, 3, 101, 110, 118, 6, 109, 101, 109, 111, 114, 121, 2, 0, 1);
    const shared = (): WebAssembly.Memory => new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: shared() } })).toThrow();
    const patched = withSharedMemoryImport(bytes, 2) as Uint8Array<ArrayBuffer>;
    expect(patched).not.toBeNull();
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(patched), { env: { memory: shared() } })).not.toThrow();
  });
});
