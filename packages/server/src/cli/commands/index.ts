import type { Command } from 'commander';
import { registerRecommend } from './recommend.ts';
import { registerEvaluate } from './evaluate.ts';
import { registerServe } from './serve.ts';
import { registerConfig } from './config.ts';
import { registerTrain } from './train.ts';
import { registerImport } from './import.ts';
import { registerExport } from './export.ts';
import { registerDemo } from './demo.ts';

/**
 * Every sub-command of `attune`, each in its own module that adds itself to the program.
 * Add a command by adding its register function here.
 */
export const commands: Array<(program: Command) => void> = [
  registerRecommend,
  registerEvaluate,
  registerServe,
  registerConfig,
  registerTrain,
  registerImport,
  registerExport,
  registerDemo,
];
