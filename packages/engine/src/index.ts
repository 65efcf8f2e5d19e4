// Public surface of the pure core. No I/O here: everything takes and returns plain data.
export * from './data/idMap.ts';
export * from './data/rng.ts';
export * from './data/csr.ts';
export * from './data/events.ts';
export * from './data/pack.ts';
export * from './data/synthetic.ts';
export * from './models/model.ts';
export * from './models/base.ts';
export * from './models/params.ts';
export * from './models/registry.ts';
export * from './kernels/topk.ts';
export * from './pipeline/types.ts';
export * from './pipeline/run.ts';
export * from './eval/index.ts';
