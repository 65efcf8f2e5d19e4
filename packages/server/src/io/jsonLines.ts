import { createReadStream, openSync, readSync, closeSync, readFileSync, statSync } from 'node:fs';
import { locateJsonError, parsesAsJson } from './jsonSyntaxError.ts';
import { describeChars, textLines } from './textLines.ts';

/** One JSONL line: its parsed value, or why it does not parse. */
export type JsonLine = { line: number; bytes: number; value: unknown; error?: undefined } | { line: number; bytes: number; value?: undefined; error: string };

/**
 * Longest line read as one record. A file that is not JSON Lines (one JSON array on a single
 * line, a minified dump) would otherwise be held whole as one string: past V8's longest string
 * (~512 MiB) reading it threw a RangeError that ended the CLI with a stack trace.
 */
export const MAX_JSON_LINE_CHARS = 64 << 20;

/**
 * Streams a JSON Lines file (blank lines skipped, `\n` or `\r\n` line breaks), keeping 1-based
 * line numbers for reports. A line over `maxLineChars` is reported as an error without being
 * held, and reading goes on at the next line.
 */
export async function* readJsonLines(path: string, maxLineChars = MAX_JSON_LINE_CHARS): AsyncGenerator<JsonLine> {
  let line = 0;
  for await (const text of textLines(createReadStream(path), maxLineChars)) {
    line++;
    if (typeof text !== 'string') {
      yield { line, bytes: text.tooLong + 1, error: `line is over ${describeChars(maxLineChars)}: JSON Lines takes one record per line (for a JSON array file, write its elements one per line, e.g. jq -c '.[]')` };
      continue;
    }
    if (text.trim() === '') continue;
    const bytes = Buffer.byteLength(text) + 1;
    try {
      yield { line, bytes, value: JSON.parse(line === 1 ? text.replace(/^\uFEFF/, '') : text) as unknown };
    } catch (err) {
      const at = locateJsonError(text);
      yield { line, bytes, error: `not valid JSON: ${at ? `column ${at.column}: ${at.reason}` : (err as Error).message}` };
    }
  }
}

/** Largest JSON array file read whole (it is parsed in one piece; JSON Lines streams). */
export const MAX_JSON_ARRAY_BYTES = 256 << 20;

/**
 * The records of a JSON Lines file, or of a file holding one JSON array (what many tools
 * export as `.json`): each element is a record, numbered by the line it starts on. An array is
 * parsed whole, so one over MAX_JSON_ARRAY_BYTES is refused with a hint to write JSON Lines.
 */
export async function* readJsonRecords(path: string, maxArrayBytes = MAX_JSON_ARRAY_BYTES): AsyncGenerator<JsonLine> {
  if (!startsWithArray(path)) {
    yield* readJsonLines(path);
    return;
  }
  const size = statSync(path).size;
  if (size > maxArrayBytes) {
    yield { line: 1, bytes: size, error: `a JSON array file over ${maxArrayBytes >= 1 << 20 ? `${maxArrayBytes / (1 << 20)} MiB` : `${maxArrayBytes} bytes`} is not read whole: write one record per line (JSON Lines), e.g. jq -c '.[]'` };
    return;
  }
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  let values: unknown[];
  try {
    values = JSON.parse(text) as unknown[];
  } catch (err) {
    // a first line that is JSON by itself: JSON Lines whose first record is an array
    const nl = text.indexOf('\n');
    const first = nl < 0 ? text : text.slice(0, nl);
    if (parsesAsJson(first)) {
      yield* readJsonLines(path);
      return;
    }
    const at = locateJsonError(text);
    yield { line: at?.line ?? 1, bytes: size, error: `not valid JSON: ${at ? `line ${at.line}, column ${at.column}: ${at.reason}` : (err as Error).message}` };
    return;
  }
  const starts = topLevelElementStarts(text);
  let line = 1;
  let scanned = 0;
  for (let k = 0; k < values.length; k++) {
    const at = starts[k] as number;
    for (; scanned < at; scanned++) if (text.charCodeAt(scanned) === 10) line++;
    const end = k + 1 < starts.length ? (starts[k + 1] as number) : text.length;
    yield { line, bytes: end - at, value: values[k] };
  }
}

/** Whether the file's first character other than white space (and a BOM) is '['. */
function startsWithArray(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    for (let offset = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, offset);
      if (n === 0) return false;
      const chunk = buf.toString('utf8', 0, n).replace(/^\uFEFF/, '');
      const m = /\S/.exec(chunk);
      if (m) return m[0] === '[';
      offset += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** Offsets where the elements of a top-level JSON array start (the text is valid JSON). */
function topLevelElementStarts(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let p = 0; p < text.length; p++) {
    const c = text[p] as string;
    if (inString) {
      if (c === '\\') p++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (depth === 1 && expectElement && c !== ']') {
      starts.push(p);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectElement = true;
  }
  return starts;
}
