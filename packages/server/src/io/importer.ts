import { extname } from 'node:path';
import type { ItemSchema, NewEvent } from '../ports/store.ts';
import type { CoreServices } from '../services/coreServices.ts';
import { parseEvent } from '../validation/eventValidator.ts';
import { ValidationIssue } from '../validation/issue.ts';
import { parseUser, type UserInput } from '../validation/userValidator.ts';
import { EVENT_COLUMNS, eventFromRow, ITEM_COLUMNS, itemFromRow, USER_COLUMNS, userFromRow } from './csvRecords.ts';
import { readDelimitedFile } from './delimited.ts';
import { readJsonLines } from './jsonLines.ts';

export type ImportKind = 'events' | 'items' | 'users';
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
  /** default: from the extension (.csv, .tsv/.tab, .jsonl/.ndjson/.json) */
  format?: ImportFormat;
  /** records per store transaction */
  batchSize?: number;
  /** bytes read so far and records so far, for a progress display */
  onProgress?: (bytes: number, records: number) => void;
}

/** One record read from a file: the API-shaped value (or a parse error), with its line. */
interface SourceRecord {
  line: number;
  /** builds the API-shaped object; items need the schema current at write time */
  toRaw: (schema: ItemSchema) => unknown;
  error?: string;
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
    for await (const l of readJsonLines(opts.file)) {
      const value = l.value;
      yield l.error !== undefined ? { line: l.line, bytes: l.bytes, toRaw: () => undefined, error: l.error } : { line: l.line, bytes: l.bytes, toRaw: () => value };
    }
    return;
  }
  const fields = opts.kind === 'events' ? EVENT_COLUMNS : opts.kind === 'items' ? ITEM_COLUMNS : USER_COLUMNS;
  const required = opts.kind === 'events' ? ['type', 'userId'] : ['id'];
  for await (const row of readDelimitedFile(opts.file, { delimiter: format === 'tsv' ? '\t' : ',', fields, required })) {
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
 * the API, a batch per transaction. Invalid records are reported by line and skipped; a file
 * that cannot be read as its format at all (bad header, ragged row) stops the import.
 */
export async function importFile(services: CoreServices, opts: ImportOptions): Promise<ImportReport> {
  const format = opts.format ?? formatOf(opts.file);
  const batchSize = opts.batchSize ?? 5_000;
  const report: ImportReport = { read: 0, imported: 0, duplicates: 0, rejected: [] };
  let batch: SourceRecord[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    await writeBatch(services, opts.kind, current, report);
  };
  for await (const rec of readSource(opts, format)) {
    report.read++;
    bytes += rec.bytes;
    if (rec.error !== undefined) report.rejected.push({ line: rec.line, code: 'invalid_json', path: '$', message: rec.error });
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
  throw err;
}

async function writeBatch(services: CoreServices, kind: ImportKind, batch: SourceRecord[], report: ImportReport): Promise<void> {
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
