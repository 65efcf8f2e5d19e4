import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { describeChars, textLines, type LongLine, type TextSource } from './textLines.ts';

/**
 * Streaming reader for delimited text (CSV, TSV): a header row, then one record per row, each
 * yielded with the 1-based line it starts on so every error can point at file, line and field.
 * CSV follows RFC 4180 quoting (quoted delimiters, doubled quotes, quoted line breaks); TSV has
 * no quoting by default, as in the IANA text/tab-separated-values format.
 */
export interface DelimitedRow {
  /** 1-based line the record starts on (the header is line 1) */
  line: number;
  /** field name → raw text; header names mapped to canonical names where `fields` says so */
  record: Record<string, string>;
  /** badRows 'report' only: why this record could not be read (its record is then empty) */
  error?: DelimitedError;
}

export interface DelimitedOptions {
  /** default: from the file extension (.tsv/.tab → tab, .csv → comma), else sniffed from the header */
  delimiter?: string;
  /** honour double quotes (default: true for comma and other delimiters, false for tab) */
  quotes?: boolean;
  /** canonical field → accepted header names, compared case-insensitively */
  fields?: Readonly<Record<string, readonly string[]>>;
  /** canonical fields the header must name */
  required?: readonly string[];
  /** name used in messages (default: the path, or 'input') */
  source?: string;
  /**
   * A record with another number of fields than the header, or one whose quoted field is never
   * closed: 'throw' (default) stops reading with a DelimitedError; 'report' yields it as a row
   * with `error` and reads on (after an unclosed quote, from the line after the one it opened on).
   */
  badRows?: 'throw' | 'report';
  /** longest physical line (default MAX_DELIMITED_LINE_CHARS); a longer one is a bad row */
  maxLineChars?: number;
}

export type DelimitedErrorCode = 'empty_file' | 'missing_column' | 'duplicate_column' | 'bad_row' | 'bad_value' | 'unclosed_quote';

/** A reading error that names the file, the line and (when there is one) the field. */
export class DelimitedError extends Error {
  constructor(
    readonly code: DelimitedErrorCode,
    readonly file: string,
    readonly line: number,
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${field !== undefined ? `field "${field}": ` : ''}${reason}`);
  }
}

export type { TextSource };

/** Reads a delimited file from disk. */
export function readDelimitedFile(path: string, opts: DelimitedOptions = {}): AsyncGenerator<DelimitedRow> {
  const ext = extname(path).toLowerCase();
  const delimiter = opts.delimiter ?? (ext === '.tsv' || ext === '.tab' ? '\t' : ext === '.csv' ? ',' : undefined);
  const o: DelimitedOptions = { ...opts, source: opts.source ?? path };
  if (delimiter !== undefined) o.delimiter = delimiter;
  return readDelimited(createReadStream(path), o);
}

/** Reads delimited text from any stream of chunks (a file stream, a request body, strings in a test). */
export async function* readDelimited(input: TextSource, opts: DelimitedOptions = {}): AsyncGenerator<DelimitedRow> {
  const file = opts.source ?? 'input';
  let header: string[] | undefined;
  let delimiter = opts.delimiter;
  let quotes = opts.quotes;
  for await (const rec of records(textLines(input, opts.maxLineChars ?? MAX_DELIMITED_LINE_CHARS), () => ({ delimiter: delimiter as string, quotes: quotes as boolean }), (first) => {
    // settle the dialect from the first line before any field is split
    delimiter ??= sniff(first);
    quotes ??= delimiter !== '\t';
  }, file, opts.maxLineChars ?? MAX_DELIMITED_LINE_CHARS)) {
    const { line } = rec;
    // an unreadable header stops the reading whatever badRows says: nothing after it has names
    if (rec.error && (opts.badRows !== 'report' || !header)) throw rec.error;
    if (rec.error) {
      yield { line, record: {}, error: rec.error };
      continue;
    }
    const fields = rec.fields as string[];
    if (!header) {
      header = mapHeader(fields, opts, file);
      continue;
    }
    if (fields.length !== header.length) {
      const error = new DelimitedError('bad_row', file, line, undefined, `expected ${header.length} fields (as in the header), got ${fields.length}`);
      if (opts.badRows !== 'report') throw error;
      yield { line, record: {}, error };
      continue;
    }
    const record: Record<string, string> = {};
    for (let f = 0; f < header.length; f++) record[header[f] as string] = fields[f] as string;
    yield { line, record };
  }
  if (!header) throw new DelimitedError('empty_file', file, 1, undefined, 'empty file: expected a header row');
}

function sniff(first: string): string {
  let best = ',';
  let count = 0;
  for (const d of ['\t', ',', ';', '|']) {
    const n = first.split(d).length - 1;
    if (n > count) {
      best = d;
      count = n;
    }
  }
  return best;
}

function mapHeader(names: string[], opts: DelimitedOptions, file: string): string[] {
  const alias = new Map<string, string>();
  for (const [canonical, accepted] of Object.entries(opts.fields ?? {})) {
    alias.set(canonical.toLowerCase(), canonical);
    for (const a of accepted) alias.set(a.toLowerCase(), canonical);
  }
  const header = names.map((raw, i) => {
    const name = (i === 0 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    return alias.get(name.toLowerCase()) ?? name;
  });
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new DelimitedError('duplicate_column', file, 1, h, 'appears twice in the header');
    seen.add(h);
  }
  for (const req of opts.required ?? []) {
    if (!seen.has(req)) {
      const accepted = [req, ...(opts.fields?.[req] ?? [])];
      throw new DelimitedError('missing_column', file, 1, req, `missing column (header has: ${header.join(', ') || 'nothing'}; accepted names: ${[...new Set(accepted)].join(', ')})`);
    }
  }
  return header;
}

/** Longest physical line read; a longer one is an error record (see textLines). */
export const MAX_DELIMITED_LINE_CHARS = 64 << 20;

/**
 * Most characters one record may span while a quoted field in it is open. A stray quote would
 * otherwise make the rest of the file one field: all of it held in memory (past V8's longest
 * string on a large file), and, read a line at a time, scanned again at every line.
 */
export const MAX_QUOTED_RECORD_CHARS = 1 << 20;

type RawRecord = { line: number; fields: string[]; error?: undefined } | { line: number; fields?: undefined; error: DelimitedError };

/** A record whose quoted field is still open: its lines so far and the split state. */
type NumberedLine = [number, string | LongLine];

interface OpenRecord {
  start: number;
  lines: NumberedLine[];
  split: QuotedSplit;
  chars: number;
}

/**
 * Records from physical lines: blank lines skipped; a quoted field may span lines. A quote that
 * is still open at the end of the input, or after MAX_QUOTED_RECORD_CHARS, is reported as an
 * error record on the line it opened on, and the lines after that one are read again as
 * records of their own: one stray quote costs one line, not the rest of the file.
 */
async function* records(
  src: AsyncGenerator<string | LongLine>,
  dialect: () => { delimiter: string; quotes: boolean },
  onFirst: (first: string) => void,
  file: string,
  maxLineChars: number,
): AsyncGenerator<RawRecord> {
  let lineNo = 0;
  let first = true;
  let replay: NumberedLine[] = [];
  let replayAt = 0;
  let open: OpenRecord | undefined;
  const next = async (): Promise<NumberedLine | undefined> => {
    if (replayAt < replay.length) return replay[replayAt++];
    const r = await src.next();
    if (r.done) return undefined;
    lineNo++;
    if (first) {
      onFirst(typeof r.value === 'string' ? r.value : '');
      first = false;
    }
    return [lineNo, r.value];
  };
  const unclosed = (o: OpenRecord, why: string): RawRecord => {
    // the lines after the opening one, then whatever was still waiting to be read again
    replay = [...o.lines.slice(1), ...replay.slice(replayAt)];
    replayAt = 0;
    return { line: o.start, error: new DelimitedError('unclosed_quote', file, o.start, undefined, why) };
  };
  for (;;) {
    const item = await next();
    if (item === undefined) {
      if (!open) return;
      const o = open;
      open = undefined;
      yield unclosed(o, 'a quoted field is never closed');
      continue;
    }
    const [n, text] = item;
    if (typeof text !== 'string') {
      const tooLong = `line is over ${describeChars(maxLineChars)}`;
      if (open) {
        // it would carry the open record past its limit: read again after the record's first line
        open.lines.push(item);
        const o = open;
        open = undefined;
        yield unclosed(o, `a quoted field opened on this line is still open at line ${n}, which is over ${describeChars(maxLineChars)}: check its quotes`);
      } else yield { line: n, error: new DelimitedError('bad_row', file, n, undefined, tooLong) };
      continue;
    }
    if (open) {
      open.lines.push(item);
      open.chars += text.length + 1;
      if (open.split.feed(text, true)) {
        yield { line: open.start, fields: open.split.fields };
        open = undefined;
      } else if (open.chars > MAX_QUOTED_RECORD_CHARS) {
        const o = open;
        open = undefined;
        yield unclosed(o, `a quoted field opened on this line is still open ${describeChars(MAX_QUOTED_RECORD_CHARS)} later (line ${n}): check its quotes`);
      }
      continue;
    }
    if (text.trim() === '') continue;
    const { delimiter, quotes } = dialect();
    if (!quotes || text.indexOf('"') < 0) {
      yield { line: n, fields: text.split(delimiter) };
      continue;
    }
    const split = new QuotedSplit(delimiter);
    if (split.feed(text, false)) yield { line: n, fields: split.fields };
    else open = { start: n, lines: [item], split, chars: text.length };
  }
}

/**
 * RFC 4180 field split, fed a physical line at a time: a record whose quoted field spans lines
 * is scanned once, not again from its start at every line.
 */
class QuotedSplit {
  readonly fields: string[] = [];
  private field = '';
  private inQuotes = false;

  constructor(private readonly delimiter: string) {}

  /** Scans one more line (a continuation is joined with a line break); true when the record is complete. */
  feed(s: string, continuation: boolean): boolean {
    if (continuation) this.field += '\n';
    const delimiter = this.delimiter;
    let field = this.field;
    let inQuotes = this.inQuotes;
    for (let p = 0; p < s.length; p++) {
      const ch = s[p] as string;
      if (inQuotes) {
        if (ch === '"') {
          if (s[p + 1] === '"') {
            field += '"';
            p++;
          } else inQuotes = false;
        } else field += ch;
      } else if (ch === '"' && field.trim() === '') {
        field = '';
        inQuotes = true;
      } else if (s.startsWith(delimiter, p)) {
        this.fields.push(field);
        field = '';
        p += delimiter.length - 1;
      } else field += ch;
    }
    this.field = field;
    this.inQuotes = inQuotes;
    if (inQuotes) return false;
    this.fields.push(field);
    return true;
  }
}

/** Parses a numeric field, or throws a DelimitedError naming the file, line and field. */
export function numberField(row: DelimitedRow, field: string, file: string, opts: { integer?: boolean; optional?: boolean } = {}): number | undefined {
  const raw = row.record[field];
  if (raw === undefined || raw.trim() === '') {
    if (opts.optional) return undefined;
    throw new DelimitedError('bad_value', file, row.line, field, 'is empty; expected a number');
  }
  const v = Number(raw.trim());
  if (!Number.isFinite(v)) throw new DelimitedError('bad_value', file, row.line, field, `expected a number, got ${JSON.stringify(raw)}`);
  if (opts.integer && !Number.isInteger(v)) throw new DelimitedError('bad_value', file, row.line, field, `expected an integer, got ${JSON.stringify(raw)}`);
  return v;
}

/** A non-empty text field, or a DelimitedError naming the file, line and field. */
export function textField(row: DelimitedRow, field: string, file: string): string {
  const raw = row.record[field];
  const v = raw?.trim() ?? '';
  if (v === '') throw new DelimitedError('bad_value', file, row.line, field, 'is empty');
  return v;
}
