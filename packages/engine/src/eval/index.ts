// Evaluation and tuning: splits, full-ranking metrics, beyond-accuracy measures, model selection.
export * from './order.ts';
export * from './split.ts';
export * from './metrics.ts';
export * from './beyond.ts';
export * from './dataset.ts';
export * from './evaluate.ts';
export * from './fit.ts';
export * from './search.ts';
export * from './tune.ts';
export * from './auto.ts';
