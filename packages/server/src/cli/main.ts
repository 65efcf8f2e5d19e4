import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.ts';
import { CliError } from './cliError.ts';
import { installParallelTrainers } from '../jobs/parallelTrainers.ts';

/** Builds the `attune` command with every sub-command registered. */
export function buildProgram(): Command {
  const program = new Command('attune')
    .description('Attune: a self-hosted, real-time, explainable personalization engine')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // recommend, evaluate, train and serve all fit through the registry: large ALS/BPR fits use both cores
  installParallelTrainers();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof CliError || (err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'string')) {
      process.stderr.write(`attune: ${err.message}\n`);
      process.exitCode = err instanceof CliError ? err.exitCode : 2;
      return;
    }
    throw err;
  }
}
