import type { Command } from 'commander';
import type { Writable } from 'node:stream';
import { closeSink, DUMP_FILES, EXPORT_KINDS, exportAll, exportJsonl, fileSink, type ExportKind } from '../../io/exporter.ts';
import { CliError } from '../cliError.ts';
import { addConfigFlags, configFromFlags, type ConfigFlags } from '../configFlags.ts';
import { openLocalStore } from '../localStore.ts';

export function registerExport(program: Command): void {
  addConfigFlags(
    program
      .command('export')
      .description('write events, items, users, scenarios, the recommendation log (JSON Lines) or the item schema (JSON) of the data directory, or all of them into a directory with --out (readable by attune import)')
      .argument('[kind]', `${EXPORT_KINDS.join(', ')} or all`, 'events')
      .option('-o, --out <path>', `output file (default: stdout); for all, a directory that gets ${DUMP_FILES.map((d) => d.file).join(', ')}`),
  ).action(async (kind: string, flags: ConfigFlags & { out?: string }) => {
    if (kind !== 'all' && !(EXPORT_KINDS as readonly string[]).includes(kind)) throw new CliError(`cannot export "${kind}": choose ${EXPORT_KINDS.join(', ')} or all`);
    if (kind === 'all' && !flags.out) throw new CliError('export all writes one file per kind: pass --out DIR');
    const { config } = configFromFlags(flags);
    // reading beside a running server is safe (WAL): no refusal as for import
    const local = await openLocalStore(config, { mustExist: true, readOnly: true });
    try {
      if (kind === 'all') {
        const counts = await exportAll(local.store, flags.out as string);
        process.stderr.write(`exported ${DUMP_FILES.map((d) => `${counts[d.kind]} ${d.kind}`).join(', ')} to ${flags.out}\n`);
        return;
      }
      const out: Writable = flags.out ? fileSink(flags.out) : process.stdout;
      const n = await exportJsonl(local.store, kind as ExportKind, out);
      if (flags.out) await closeSink(out);
      process.stderr.write(`exported ${n} ${kind}${flags.out ? ` to ${flags.out}` : ''}\n`);
    } finally {
      await local.close();
    }
  });
}
