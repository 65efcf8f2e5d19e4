import type { Command } from 'commander';
import { getFactory, InvalidParamsError, UnknownModelError, type ChooseOptions, type ModelFactory } from '@attune/engine';
import { describeJsonError } from '../io/jsonSyntaxError.ts';
import { CliError } from './cliError.ts';
import { note, startProgress } from './progress.ts';

/** Parsing and checking of the model-related options shared by `recommend` and `evaluate`. */

export function parseJsonOption(flag: string, text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${flag}: not valid JSON: ${describeJsonError(text, err)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CliError(`${flag}: expected a JSON object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

export function resolveFactory(flag: string, name: string): ModelFactory {
  try {
    return getFactory(name);
  } catch (err) {
    if (err instanceof UnknownModelError) throw new CliError(`${flag}: ${err.message} (or auto)`);
    throw err;
  }
}

/** Creates the model once so bad parameters fail before any data is read. */
export function checkParams(flag: string, name: string, params: Record<string, unknown>): void {
  try {
    resolveFactory(flag, name).create(params);
  } catch (err) {
    if (err instanceof InvalidParamsError) throw new CliError(`${flag}: ${err.message}`);
    throw err;
  }
}

/** The options of every command that fits a model on --train: row weighting, seed and auto-tuning budget. */
export function addFitOptions(command: Command): Command {
  return command
    .option('--weight <mode>', 'interaction weight: one (each row counts 1) or rating', 'one')
    .option('--seed <n>', 'seed for random splits and model initialisation', '42')
    .option('--budget <seconds>', 'time budget for auto tuning (a model whose first trial runs over still gets that trial)', '300');
}

export function parseSeed(text: string): number {
  const seed = Number.parseInt(text, 10);
  if (!Number.isFinite(seed)) throw new CliError(`--seed: expected an integer, got ${JSON.stringify(text)}`);
  return seed;
}

export function parsePositiveInt(flag: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v <= 0) throw new CliError(`${flag}: expected a positive integer, got ${JSON.stringify(text)}`);
  return v;
}

/** Options for `model=auto`: a wall-clock budget and progress as each candidate model is tuned. */
export function autoOptions(budgetSeconds: number | undefined, seed: number): { opts: ChooseOptions; finish: () => void } {
  let bar: ReturnType<typeof startProgress> | undefined;
  const opts: ChooseOptions = {
    seed,
    clock: () => performance.now(),
    onModel: (model, index, total) => {
      bar ??= startProgress('auto: tuning', total, { intervalMs: 0 });
      bar.update(index, model);
    },
    onTrial: (trial) => {
      if (trial.error) note(`auto: ${trial.model} ${JSON.stringify(trial.params)} failed: ${trial.error}`);
    },
  };
  if (budgetSeconds !== undefined) opts.budgetMs = budgetSeconds * 1000;
  return { opts, finish: () => bar?.stop() };
}
