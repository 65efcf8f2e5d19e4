import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { ENV_VARIABLES } from '../../config/env.ts';
import type { AttuneConfig } from '../../config/schema.ts';
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
    const { config: loaded, file } = configFromFlags(flags);
    if (file) process.stderr.write(`# config file: ${file}\n`);
    const config = redactUrls(loaded);
    process.stdout.write(flags.format === 'yaml' ? toYaml(config) : `${JSON.stringify(config, null, 2)}\n`);
  });
}

/** The printed config is pasted into issues and logs: passwords in connection URLs become ***. */
function redactUrls(config: AttuneConfig): AttuneConfig {
  const hide = (url: string | undefined): string | undefined => url?.replace(/(\/\/[^:/@]*:)[^@/]*@/g, '$1***@');
  const out = structuredClone(config);
  if (out.store.postgres.url) out.store.postgres.url = hide(out.store.postgres.url);
  if (out.bus.nats.url) out.bus.nats.url = hide(out.bus.nats.url);
  if (out.online.redis.url) out.online.redis.url = hide(out.online.redis.url);
  return out;
}
