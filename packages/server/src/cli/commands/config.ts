import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { ENV_VARIABLES } from '../../config/env.ts';
import { addConfigFlags, configFromFlags, type ConfigFlags } from '../configFlags.ts';

export function registerConfig(program: Command): void {
  addConfigFlags(
    program
      .command('config')
      .description('print the effective configuration (defaults < config file < ATTUNE_* environment < flags)')
      .option('--format <format>', 'json or yaml', 'json')
      .option('--env', 'list the environment variables Attune reads'),
    { server: true },
  ).action((flags: ConfigFlags & { format: string; env?: boolean }) => {
    if (flags.env) {
      for (const v of ENV_VARIABLES) process.stdout.write(`${v.name.padEnd(34)} ${v.key.padEnd(25)} ${v.help}\n`);
      return;
    }
    const { config, file } = configFromFlags(flags);
    if (file) process.stderr.write(`# config file: ${file}\n`);
    process.stdout.write(flags.format === 'yaml' ? toYaml(config) : `${JSON.stringify(config, null, 2)}\n`);
  });
}
