import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { buildTrainData, chooseModel, fitModel, type EvalData } from '@attune/engine';
import { CliError } from '../cliError.ts';
import { loadInteractions, parseWeightMode, weightingFor } from '../interactionsFile.ts';
import { addFitOptions, autoOptions, checkParams, parseJsonOption, parsePositiveInt, parseSeed, resolveFactory } from '../modelOptions.ts';
import { note, startProgress } from '../progress.ts';

interface RecommendArgs {
  train: string;
  model: string;
  params?: string;
  n: string;
  out: string;
  weight: string;
  seed: string;
  budget: string;
}

/** `attune recommend`: train on a file and write every user's top-N unseen items. */
export function registerRecommend(program: Command): void {
  addFitOptions(
    program
      .command('recommend')
      .description('train a model on an interactions file and write the top-N for every user (excluding their training items)')
      .requiredOption('--train <file>', 'CSV/TSV with a header naming user_id and item_id (optionally rating, timestamp)')
      .requiredOption('--model <name>', 'a registered model, or auto (tuned on a validation split carved from --train)')
      .option('--params <json>', 'model hyper-parameters as a JSON object (not with auto)')
      .requiredOption('--n <count>', 'recommendations per user')
      .requiredOption('--out <file>', 'output TSV: user_id, item_id, rank, score'),
  )
    .action(async (args: RecommendArgs) => runRecommend(args));
}

async function runRecommend(args: RecommendArgs): Promise<void> {
  const n = parsePositiveInt('--n', args.n);
  const seed = parseSeed(args.seed);
  const weight = parseWeightMode(args.weight);
  const auto = args.model === 'auto';
  let params = args.params !== undefined ? parseJsonOption('--params', args.params) : {};
  if (auto && args.params !== undefined) throw new CliError('--params: not allowed with --model auto (auto chooses the parameters)');
  if (!auto) {
    resolveFactory('--model', args.model);
    checkParams('--params', args.model, params);
  }
  const budget = parsePositiveInt('--budget', args.budget);

  const { rows } = await loadInteractions(args.train);
  const weighting = weightingFor(weight);
  let model = args.model;
  if (auto) {
    const { opts, finish } = autoOptions(budget, seed);
    const choice = await chooseModel(rows, { ...opts, weighting });
    finish();
    model = choice.model;
    params = choice.params;
    note(`auto: chose ${model} ${JSON.stringify(params)} (validation NDCG@10 ${choice.score.toFixed(4)}, ${choice.validation} split)`);
  }

  const data = buildTrainData(rows, weighting);
  const fitBar = startProgress(`fit ${model}`, 100);
  const fitted = await fitModel(model, params, data, { seed, onProgress: (f) => fitBar.update(Math.round(f * 100)) });
  fitBar.update(100);
  fitBar.stop();
  await writeRecommendations(args.out, data, fitted, n);
}

async function writeRecommendations(path: string, data: EvalData, model: Awaited<ReturnType<typeof fitModel>>, n: number): Promise<void> {
  const out = createWriteStream(path);
  const failed = once(out, 'error').then(([err]) => {
    throw new CliError(`${path}: cannot write (${err instanceof Error ? err.message : String(err)})`);
  });
  failed.catch(() => {}); // observed through the races below; this only marks it handled
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  };
  const users = data.users.size;
  const bar = startProgress('recommend', users);
  const every = Math.max(1, Math.floor(users / 100));
  await write('user_id\titem_id\trank\tscore\n');
  let buffer = '';
  for (let u = 0; u < users; u++) {
    const rec = model.recommend({ user: u }, n, { excludeHistory: true });
    const userId = data.users.id(u);
    for (let r = 0; r < rec.items.length; r++) {
      buffer += `${userId}\t${data.items.id(rec.items[r] as number)}\t${r + 1}\t${formatScore(rec.scores[r] as number)}\n`;
    }
    if (buffer.length > 1 << 16) {
      await write(buffer);
      buffer = '';
    }
    if ((u + 1) % every === 0 || u + 1 === users) bar.update(u + 1);
  }
  bar.stop();
  out.end(buffer);
  await Promise.race([once(out, 'finish'), failed]);
}

/** Scores are float32: 7 significant digits carry all they hold. */
function formatScore(v: number): string {
  return Number(v.toPrecision(7)).toString();
}
