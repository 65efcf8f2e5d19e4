import type { Command } from 'commander';
import type { Writable } from 'node:stream';
import { exportJsonl, fileSink, type ExportKind } from '../../io/exporter.ts';
import { CliError } from '../cliError.ts';
import { addConfigFlags, configFromFlags, type ConfigFlags } from '../configFlags.ts';
import { openLocalStore } from '../localStore.ts';

export function registerExport(program: Command): void {
  addConfigFlags(
    program
      .command('export')
      .description('write events, items or users of the data directory as JSON Lines (readable by attune import)')
      .argument('[kind]', 'events, items or users', 'events')
      .option('-o, --out <file>', 'output file (default: stdout)'),
  ).action(async (kind: string, flags: ConfigFlags & { out?: string }) => {
    if (!['events', 'items', 'users'].includes(kind)) throw new CliError(`cannot export "${kind}": choose events, items or users`);
    const { config } = configFromFlags(flags);
    const local = await openLocalStore(config, { mustExist: true });
    try {
      const out: Writable = flags.out ? fileSink(flags.out) : process.stdout;
      const n = await exportJsonl(local.store, kind as ExportKind, out);
      if (flags.out) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      process.stderr.write(`exported ${n} ${kind}${flags.out ? ` to ${flags.out}` : ''}\n`);
    } finally {
      await local.close();
    }
  });
}
