import type { Command } from 'commander';
import { buildEvalData, chooseModel, evaluateRecommender, fitModel, type EvalResult, type Interaction } from '@attune/engine';
import { CliError } from '../cliError.ts';
import { loadInteractions, parseWeightMode, weightingFor, type LoadedInteractions } from '../interactionsFile.ts';
import { addFitOptions, autoOptions, checkParams, parseJsonOption, parsePositiveInt, parseSeed, resolveFactory } from '../modelOptions.ts';
import { note, startProgress } from '../progress.ts';
import { evaluateRatingTask } from './evaluateRatings.ts';

interface EvaluateArgs {
  train: string;
  test: string;
  models: string;
  k: string;
  json?: boolean;
  params?: string;
  weight: string;
  seed: string;
  budget: string;
  task: string;
}

export interface ModelReport {
  model: string;
  params: Record<string, unknown>;
  fitSeconds: number;
  metrics: EvalResult;
}

/** `attune evaluate`: fit each model on --train and score it on --test (full ranking, protocol P1). */
export function registerEvaluate(program: Command): void {
  addFitOptions(
    program
      .command('evaluate')
      .description('fit models on a train file and report full-ranking metrics on a test file')
      .requiredOption('--train <file>', 'CSV/TSV with a header naming user_id and item_id (optionally rating, timestamp)')
      .requiredOption('--test <file>', 'CSV/TSV in the same format')
      .requiredOption('--models <list>', 'comma-separated model names; auto tunes on a validation split of --train')
      .option('--k <n>', 'list length', '10')
      .option('--json', 'print JSON instead of a table')
      .option('--params <json>', 'hyper-parameters keyed by model name, e.g. {"ease":{"lambda":200}}'),
  )
    .option('--task <task>', 'ranking (top-k metrics) or rating (RMSE/MAE of rating models)', 'ranking')
    .action(async (args: EvaluateArgs) => runEvaluate(args));
}

async function runEvaluate(args: EvaluateArgs): Promise<void> {
  const k = parsePositiveInt('--k', args.k);
  const seed = parseSeed(args.seed);
  const models = args.models.split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (models.length === 0) throw new CliError('--models: expected at least one model name');
  const paramsByModel = args.params !== undefined ? parseJsonOption('--params', args.params) : {};
  if (args.task !== 'ranking' && args.task !== 'rating') throw new CliError(`--task: expected "ranking" or "rating", got ${JSON.stringify(args.task)}`);

  if (args.task === 'rating') {
    const [train, test] = await Promise.all([loadInteractions(args.train), loadInteractions(args.test)]);
    requireRatings(args.train, train);
    requireRatings(args.test, test);
    const results = await evaluateRatingTask(train.rows, test.rows, models, paramsByModel);
    if (args.json) process.stdout.write(`${JSON.stringify({ task: 'rating', results }, null, 2)}\n`);
    else process.stdout.write(`${formatTable(['model', 'RMSE', 'MAE'], results.map((r) => [r.model, r.rmse.toFixed(4), r.mae.toFixed(4)]))}\n`);
    return;
  }

  const weight = parseWeightMode(args.weight);
  for (const m of models) if (m !== 'auto') resolveFactory('--models', m);
  for (const key of Object.keys(paramsByModel)) {
    if (!models.includes(key)) throw new CliError(`--params: key "${key}" is not one of --models (${models.join(', ')})`);
    const p = paramsByModel[key];
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new CliError(`--params: "${key}" must map to a JSON object of parameters`);
    if (key === 'auto') throw new CliError('--params: auto chooses its own parameters');
    checkParams(`--params.${key}`, key, p as Record<string, unknown>);
  }
  const budget = parsePositiveInt('--budget', args.budget);

  const [train, test] = await Promise.all([loadInteractions(args.train), loadInteractions(args.test)]);
  const weighting = weightingFor(weight);
  const data = buildEvalData(train.rows, test.rows, weighting);
  if (data.test.users.length === 0) throw new CliError(`${args.test}: no test interactions`);

  const reports: ModelReport[] = [];
  for (const name of models) {
    let model = name;
    let params = (paramsByModel[name] ?? {}) as Record<string, unknown>;
    const t0 = performance.now();
    if (name === 'auto') {
      const { opts, finish } = autoOptions(budget, seed);
      const choice = await chooseModel(train.rows as Interaction[], { ...opts, k, weighting });
      finish();
      model = choice.model;
      params = choice.params;
      note(`auto: chose ${model} ${JSON.stringify(params)} (validation NDCG@${k} ${choice.score.toFixed(4)})`);
    }
    const fitBar = startProgress(`fit ${name}`, 100);
    const fitted = await fitModel(model, params, data, { seed, onProgress: (f) => fitBar.update(Math.round(f * 100)) });
    fitBar.update(100);
    fitBar.stop();
    const fitSeconds = (performance.now() - t0) / 1000;
    const bar = startProgress(`evaluate ${name}`, data.test.users.length);
    const metrics = evaluateRecommender(fitted, data, { k, onProgress: (done) => bar.update(done) });
    bar.stop();
    reports.push({ model: name === 'auto' ? `auto → ${model}` : name, params: { ...fitted.params }, fitSeconds, metrics });
  }

  if (args.json) {
    const out = { task: 'ranking', k, users: data.test.users.length, items: data.items.size, results: reports };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${data.test.users.length} users evaluated, ${data.items.size} items, k = ${k}\n`);
  const header = ['model', `P@${k}`, `R@${k}`, `NDCG@${k}`, `MAP@${k}`, `MRR@${k}`, `HR@${k}`, `Cov@${k}`, 'novelty', 'ARP', 'Gini', 'fit s'];
  const rows = reports.map((r) => [
    r.model,
    ...[r.metrics.precision, r.metrics.recall, r.metrics.ndcg, r.metrics.map, r.metrics.mrr, r.metrics.hitRate, r.metrics.coverage].map((v) => v.toFixed(4)),
    r.metrics.novelty.toFixed(2),
    r.metrics.avgPopularity.toFixed(1),
    r.metrics.giniExposure.toFixed(3),
    r.fitSeconds.toFixed(2),
  ]);
  process.stdout.write(`${formatTable(header, rows)}\n`);
}

function requireRatings(file: string, data: LoadedInteractions): void {
  if (!data.hasRatings) throw new CliError(`${file}:1: field "rating": missing column (needed by --task rating)`);
}

/** A plain aligned text table: first column left-aligned, the rest right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((v, c) => (c === 0 ? v.padEnd(widths[c] as number) : v.padStart(widths[c] as number))).join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}
