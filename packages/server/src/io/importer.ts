import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ApiError } from '../errors.ts';
import type { ItemSchema, NewEvent, ShownList, Store } from '../ports/store.ts';
import type { CoreServices } from '../services/coreServices.ts';
import type { ScenarioService } from '../services/scenarios/scenarioService.ts';
import { parseEvent } from '../validation/eventValidator.ts';
import { ValidationIssue } from '../validation/issue.ts';
import { parseShownList } from '../validation/shownListValidator.ts';
import { parseUser, type UserInput } from '../validation/userValidator.ts';
import { EVENT_COLUMNS, eventFromRow, ITEM_COLUMNS, itemFromRow, USER_COLUMNS, userFromRow } from './csvRecords.ts';
import { readDelimitedFile } from './delimited.ts';
import { readJsonLines, readJsonRecords } from './jsonLines.ts';
import { DUMP_FILES } from './exporter.ts';

/** events, items, users: CSV, TSV or JSONL; scenarios, recommendations: JSONL; schema: one JSON document. */
export type ImportKind = 'events' | 'items' | 'users' | 'scenarios' | 'schema' | 'recommendations';
export type ImportFormat = 'csv' | 'tsv' | 'jsonl';

export interface RejectedLine {
  line: number;
  code: string;
  path: string;
  message: string;
}

export interface ImportReport {
  /** records read (lines other than the header and blank ones) */
  read: number;
  imported: number;
  /** events whose eventId was already stored */
  duplicates: number;
  rejected: RejectedLine[];
}

export interface ImportOptions {
  kind: ImportKind;
  file: string;
  /** default: from the extension (.csv, .tsv/.tab, .jsonl/.ndjson, .json: JSON Lines or one JSON array) */
  format?: ImportFormat;
  /** records per store transaction */
  batchSize?: number;
  /** bytes read so far and records so far, for a progress display */
  onProgress?: (bytes: number, records: number) => void;
  /** where scenarios are written (kind 'scenarios'): the store's ScenarioService */
  scenarios?: ScenarioService;
  /** where shown lists are written (kind 'recommendations'): the store */
  recommendationLog?: Pick<Store, 'logShownLists'>;
}

/** One record read from a file: the API-shaped value (or why it could not be read), with its line. */
interface SourceRecord {
  line: number;
  /** builds the API-shaped object; items need the schema current at write time */
  toRaw: (schema: ItemSchema) => unknown;
  error?: { code: 'invalid_json' | 'invalid_row'; message: string };
}

export function formatOf(file: string): ImportFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  throw new Error(`cannot tell the format of ${file} from its extension: pass --format csv, tsv or jsonl`);
}

async function* readSource(opts: ImportOptions, format: ImportFormat): AsyncGenerator<SourceRecord & { bytes: number }> {
  if (format === 'jsonl') {
    // a .json file may hold one JSON array (what many tools export); .jsonl, .ndjson and an
    // explicit --format jsonl are read strictly as JSON Lines
    const records = opts.format === undefined && extname(opts.file).toLowerCase() === '.json' ? readJsonRecords(opts.file) : readJsonLines(opts.file);
    for await (const l of records) {
      const value = l.value;
      yield l.error !== undefined ? { line: l.line, bytes: l.bytes, toRaw: () => undefined, error: { code: 'invalid_json', message: l.error } } : { line: l.line, bytes: l.bytes, toRaw: () => value };
    }
    return;
  }
  const fields = opts.kind === 'events' ? EVENT_COLUMNS : opts.kind === 'items' ? ITEM_COLUMNS : USER_COLUMNS;
  const required = opts.kind === 'events' ? ['type', 'userId'] : ['id'];
  // a ragged row or a never-closed quote is that record's problem: reported by line, the rest read on
  for await (const row of readDelimitedFile(opts.file, { delimiter: format === 'tsv' ? '\t' : ',', fields, required, badRows: 'report' })) {
    if (row.error) {
      yield { line: row.line, bytes: 1, toRaw: () => undefined, error: { code: 'invalid_row', message: row.error.reason } };
      continue;
    }
    let bytes = 1;
    for (const k in row.record) bytes += row.record[k]!.length + 1;
    const record = row.record;
    const toRaw =
      opts.kind === 'events' ? () => eventFromRow(record) : opts.kind === 'items' ? (schema: ItemSchema) => itemFromRow(record, schema) : () => userFromRow(record);
    yield { line: row.line, bytes, toRaw };
  }
}

/**
 * Streams a CSV, TSV or JSONL file into the store through the same services and validators as
 * the API, a batch per transaction. Invalid records are reported by line and skipped, also CSV
 * and TSV rows with another number of fields than the header and a quote never closed (the
 * lines after the one it opened on are read again); a file that cannot be read as its format
 * at all (no header, a bad one) stops the import.
 */
export async function importFile(services: CoreServices, opts: ImportOptions): Promise<ImportReport> {
  if (opts.kind === 'schema') return importSchema(services, opts.file);
  const format = opts.format ?? formatOf(opts.file);
  if (opts.kind === 'scenarios' && format !== 'jsonl') throw new Error(`scenarios are read from JSON Lines (one PUT /v1/scenarios body with its name a line), not ${format}`);
  if (opts.kind === 'recommendations' && format !== 'jsonl') throw new Error(`recommendations are read from JSON Lines (one shown list a line, as attune export recommendations writes them), not ${format}`);
  const batchSize = opts.batchSize ?? 5_000;
  const report: ImportReport = { read: 0, imported: 0, duplicates: 0, rejected: [] };
  let batch: SourceRecord[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    await writeBatch(services, opts, current, report);
  };
  for await (const rec of readSource(opts, format)) {
    report.read++;
    bytes += rec.bytes;
    if (rec.error !== undefined) report.rejected.push({ line: rec.line, code: rec.error.code, path: '$', message: rec.error.message });
    else batch.push(rec);
    if (batch.length >= batchSize) {
      await flush();
      opts.onProgress?.(bytes, report.read);
    }
  }
  await flush();
  opts.onProgress?.(bytes, report.read);
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}

function rejectOf(line: number, err: unknown): RejectedLine {
  if (err instanceof ValidationIssue) return { line, code: err.code, path: err.path, message: err.message };
  // scenario validation answers as the API does
  if (err instanceof ApiError && err.statusCode === 400) return { line, code: err.code, path: err.path ?? '$', message: err.message };
  throw err;
}

/** The item schema: one JSON document, the body of PUT /v1/schema/items (what `attune export schema` writes). */
async function importSchema(services: CoreServices, file: string): Promise<ImportReport> {
  const report: ImportReport = { read: 1, imported: 0, duplicates: 0, rejected: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    report.rejected.push({ line: 1, code: 'invalid_json', path: '$', message: `not valid JSON: ${(err as Error).message}` });
    return report;
  }
  try {
    await services.catalogue.putSchema(raw);
    report.imported = 1;
  } catch (err) {
    report.rejected.push(rejectOf(1, err));
  }
  return report;
}

/** Every file of an `attune export all` directory that is present, in DUMP_FILES order. */
export async function importAll(
  services: CoreServices,
  targets: { scenarios: ScenarioService; recommendationLog: Pick<Store, 'logShownLists'> },
  dir: string,
  opts: { batchSize?: number; onFile?: (kind: ImportKind, file: string) => void } = {},
): Promise<Array<{ kind: ImportKind; file: string; report: ImportReport }>> {
  const present = DUMP_FILES.map((d) => ({ kind: d.kind, file: join(dir, d.file) })).filter((d) => existsSync(d.file));
  if (present.length === 0) throw new Error(`${dir} holds none of ${DUMP_FILES.map((d) => d.file).join(', ')}: not an attune export all directory`);
  const out: Array<{ kind: ImportKind; file: string; report: ImportReport }> = [];
  for (const { kind, file } of present) {
    opts.onFile?.(kind, file);
    const importOpts: ImportOptions = { kind, file, scenarios: targets.scenarios, recommendationLog: targets.recommendationLog };
    if (opts.batchSize !== undefined) importOpts.batchSize = opts.batchSize;
    out.push({ kind, file, report: await importFile(services, importOpts) });
  }
  return out;
}

async function writeBatch(services: CoreServices, opts: ImportOptions, batch: SourceRecord[], report: ImportReport): Promise<void> {
  const kind = opts.kind;
  if (kind === 'scenarios') {
    const scenarios = opts.scenarios;
    if (!scenarios) throw new Error('importing scenarios needs the store\'s scenario service');
    for (const rec of batch) {
      const raw = rec.toRaw({ properties: {} });
      try {
        const name = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>).name : undefined;
        if (typeof name !== 'string' || name === '') throw new ValidationIssue('$.name', '$.name: is required (the scenario name, a string)', 'missing_field');
        await scenarios.put(name, raw);
        report.imported++;
      } catch (err) {
        report.rejected.push(rejectOf(rec.line, err));
      }
    }
    return;
  }
  if (kind === 'recommendations') {
    const lists: ShownList[] = [];
    for (const rec of batch) {
      try {
        lists.push(parseShownList(rec.toRaw({ properties: {} }), '$'));
      } catch (err) {
        report.rejected.push(rejectOf(rec.line, err));
      }
    }
    const log = opts.recommendationLog;
    if (!log) throw new Error('importing recommendations needs the store');
    // a list already logged (same recommendationId) keeps its first row, so re-importing is harmless
    await log.logShownLists(lists);
    report.imported += lists.length;
    return;
  }
  if (kind === 'events') {
    const now = Date.now();
    const events: NewEvent[] = [];
    for (const rec of batch) {
      try {
        events.push(parseEvent(rec.toRaw({ properties: {} }), '$', now));
      } catch (err) {
        report.rejected.push(rejectOf(rec.line, err));
      }
    }
    const result = await services.ingest.append(events);
    report.imported += result.accepted;
    report.duplicates += result.duplicates;
    return;
  }
  if (kind === 'items') {
    const schema = await services.catalogue.getSchema();
    const { written, rejected } = await services.catalogue.putItemsLenient(batch.map((r) => r.toRaw(schema)));
    report.imported += written;
    for (const r of rejected) report.rejected.push({ line: batch[r.index]!.line, code: r.code, path: r.path, message: r.message });
    return;
  }
  const users: UserInput[] = [];
  for (const rec of batch) {
    try {
      users.push(parseUser(rec.toRaw({ properties: {} }), '$'));
    } catch (err) {
      report.rejected.push(rejectOf(rec.line, err));
    }
  }
  for (const u of users) await services.users.write(u);
  report.imported += users.length;
}
