import { createReadStream } from 'node:fs';
import { locateJsonError } from './jsonSyntaxError.ts';

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
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let line = 0;
  // characters of an over-long line dropped so far (0: not dropping)
  let dropped = 0;
  const tooLong = (chars: number): JsonLine => ({
    line,
    bytes: chars + 1,
    error: `line is over ${maxLineChars >= 1 << 20 ? `${maxLineChars / (1 << 20)} MiB` : `${maxLineChars} characters`}: JSON Lines takes one record per line (for a JSON array file, write its elements one per line, e.g. jq -c '.[]')`,
  });
  const parse = (text: string): JsonLine | undefined => {
    if (text.trim() === '') return undefined;
    const bytes = Buffer.byteLength(text) + 1;
    try {
      return { line, bytes, value: JSON.parse(line === 1 ? text.replace(/^\uFEFF/, '') : text) as unknown };
    } catch (err) {
      const at = locateJsonError(text);
      return { line, bytes, error: `not valid JSON: ${at ? `column ${at.column}: ${at.reason}` : (err as Error).message}` };
    }
  };
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n', start)) {
      line++;
      const end = nl > start && rest.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (dropped > 0) {
        yield tooLong(dropped + (nl - start));
        dropped = 0;
      } else if (end - start > maxLineChars) yield tooLong(end - start);
      else {
        const record = parse(rest.slice(start, end));
        if (record) yield record;
      }
      start = nl + 1;
    }
    rest = rest.slice(start);
    if (rest.length > maxLineChars) {
      dropped += rest.length;
      rest = '';
    }
  }
  rest += decoder.decode();
  if (dropped > 0 || rest.length > 0) {
    line++;
    const text = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
    if (dropped > 0 || text.length > maxLineChars) yield tooLong(dropped + text.length);
    else {
      const record = parse(text);
      if (record) yield record;
    }
  }
}
