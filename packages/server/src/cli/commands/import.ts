import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { openLocalStore } from '../localStore.ts';
import { importFile, type ImportFormat, type ImportKind } from '../../io/importer.ts';
import { startProgress } from '../progress.ts';
import { CliError } from '../cliError.ts';
import { addConfigFlags, configFromFlags, type ConfigFlags } from '../configFlags.ts';

const KINDS = ['events', 'items', 'users'];
const SHOWN_REJECTS = 20;

export function registerImport(program: Command): void {
  addConfigFlags(
    program
      .command('import')
      .description('load events, items or users from CSV, TSV or JSONL into the data directory (same validation as the API)')
      .argument('<kind>', 'events, items or users')
      .argument('<file>', 'a .csv, .tsv or .jsonl file')
      .option('--format <format>', 'csv, tsv or jsonl (default: from the file extension)')
      .option('--batch-size <n>', 'records per transaction', '5000'),
  ).action(async (kind: string, file: string, flags: ConfigFlags & { format?: string; batchSize: string }) => {
    if (!KINDS.includes(kind)) throw new CliError(`cannot import "${kind}": choose events, items or users`);
    if (flags.format !== undefined && !['csv', 'tsv', 'jsonl'].includes(flags.format)) throw new CliError(`--format ${flags.format}: choose csv, tsv or jsonl`);
    const batchSize = Number(flags.batchSize);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError(`--batch-size ${flags.batchSize} is not a positive integer`);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new CliError(`cannot read ${file}`);
    }
    const { config } = configFromFlags(flags);
    const local = await openLocalStore(config);
    const progress = startProgress(`import ${kind}`, size);
    try {
      const opts: Parameters<typeof importFile>[1] = {
        kind: kind as ImportKind,
        file,
        batchSize,
        onProgress: (bytes, records) => progress.update(Math.min(bytes, size), `${records} records`),
      };
      if (flags.format) opts.format = flags.format as ImportFormat;
      let report;
      try {
        report = await importFile(local.services, opts);
      } catch (err) {
        // a file that is not readable as its format (header, ragged row, unknown extension)
        if (err instanceof Error && !(err instanceof CliError)) throw new CliError(err.message);
        throw err;
      }
      progress.update(size, `${report.read} records`);
      progress.stop();
      const dup = report.duplicates ? `, ${report.duplicates} already stored (same eventId)` : '';
      process.stdout.write(`imported ${report.imported} of ${report.read} ${kind} from ${file} into ${config.dataDir}${dup}; ${report.rejected.length} rejected\n`);
      for (const r of report.rejected.slice(0, SHOWN_REJECTS)) process.stderr.write(`${file}:${r.line}: ${r.message}\n`);
      if (report.rejected.length > SHOWN_REJECTS) process.stderr.write(`… and ${report.rejected.length - SHOWN_REJECTS} more rejected lines\n`);
      // rejected lines make the exit code 1 so scripts notice; the valid ones are stored
      if (report.rejected.length > 0) process.exitCode = 1;
    } finally {
      progress.stop();
      await local.close();
    }
  });
}
