import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { openLocalStore } from '../localStore.ts';
import { importAll, importFile, type ImportFormat, type ImportKind, type ImportReport } from '../../io/importer.ts';
import { scenariosFor } from '../../services/scenarios/scenarioService.ts';
import { startProgress } from '../progress.ts';
import { CliError } from '../cliError.ts';
import { addConfigFlags, configFromFlags, type ConfigFlags } from '../configFlags.ts';

const KINDS = ['events', 'items', 'users', 'scenarios', 'schema', 'recommendations', 'all'];
const SHOWN_REJECTS = 20;

export function registerImport(program: Command): void {
  addConfigFlags(
    program
      .command('import')
      .description('load events, items, users (CSV, TSV or JSONL), scenarios or recommendation-log lists (JSONL), the item schema (JSON) or a whole `attune export all` directory into the data directory (same validation as the API)')
      .argument('<kind>', 'events, items, users, scenarios, schema, recommendations or all')
      .argument('<file>', 'a .csv, .tsv or .jsonl file (schema: a .json file; all: the directory export all wrote)')
      .option('--format <format>', 'csv, tsv or jsonl (default: from the file extension)')
      .option('--batch-size <n>', 'records per transaction', '5000'),
  ).action(async (kind: string, file: string, flags: ConfigFlags & { format?: string; batchSize: string }) => {
    if (!KINDS.includes(kind)) throw new CliError(`cannot import "${kind}": choose ${KINDS.join(', ')}`);
    if (flags.format !== undefined && !['csv', 'tsv', 'jsonl'].includes(flags.format)) throw new CliError(`--format ${flags.format}: choose csv, tsv or jsonl`);
    const batchSize = Number(flags.batchSize);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError(`--batch-size ${flags.batchSize} is not a positive integer`);
    let size: number;
    try {
      const st = statSync(file);
      if (kind === 'all' && !st.isDirectory()) throw new CliError(`${file} is not a directory: import all reads what export all --out DIR wrote`);
      size = st.size;
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`cannot read ${file}`);
    }
    const { config } = configFromFlags(flags);
    const local = await openLocalStore(config, { writes: 'import' });
    const scenarios = scenariosFor(local.store);
    let rejected = 0;
    const summarize = (k: string, f: string, report: ImportReport) => {
      const dup = report.duplicates ? `, ${report.duplicates} already stored (same eventId)` : '';
      process.stdout.write(`imported ${report.imported} of ${report.read} ${k} from ${f} into ${config.dataDir}${dup}; ${report.rejected.length} rejected\n`);
      for (const r of report.rejected.slice(0, SHOWN_REJECTS)) process.stderr.write(`${f}:${r.line}: ${r.message}\n`);
      if (report.rejected.length > SHOWN_REJECTS) process.stderr.write(`… and ${report.rejected.length - SHOWN_REJECTS} more rejected lines\n`);
      rejected += report.rejected.length;
    };
    try {
      try {
        if (kind === 'all') {
          for (const r of await importAll(local.services, { scenarios, recommendationLog: local.store }, file, { batchSize, onFile: (k, f) => process.stderr.write(`importing ${k} from ${f}\n`) })) summarize(r.kind, r.file, r.report);
        } else {
          const progress = startProgress(`import ${kind}`, size);
          try {
            const opts: Parameters<typeof importFile>[1] = {
              kind: kind as ImportKind,
              file,
              batchSize,
              scenarios,
              recommendationLog: local.store,
              onProgress: (bytes, records) => progress.update(Math.min(bytes, size), `${records} records`),
            };
            if (flags.format) opts.format = flags.format as ImportFormat;
            const report = await importFile(local.services, opts);
            progress.update(size, `${report.read} records`);
            progress.stop();
            summarize(kind, file, report);
          } finally {
            progress.stop();
          }
        }
      } catch (err) {
        // a file that is not readable as its format (header, ragged row, unknown extension)
        if (err instanceof Error && !(err instanceof CliError)) throw new CliError(err.message);
        throw err;
      }
      // rejected lines make the exit code 1 so scripts notice; the valid ones are stored
      if (rejected > 0) process.exitCode = 1;
    } finally {
      await local.close();
    }
  });
}
