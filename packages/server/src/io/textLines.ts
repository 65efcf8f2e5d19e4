/** Text in chunks: a file stream, a request body, strings in a test. */
export type TextSource = AsyncIterable<string | Uint8Array> | Iterable<string>;

/** A line longer than the limit: dropped as it was read, only its length kept. */
export interface LongLine {
  tooLong: number;
}

/**
 * Physical lines (without `\n` or `\r\n`), decoding UTF-8 across chunk boundaries. A line over
 * `maxChars` is not held: it comes out as a LongLine, and reading goes on at the next line. A
 * file without line breaks (a minified dump) would otherwise be one string, and past V8's
 * longest (~512 MiB) the reader threw a RangeError.
 */
export async function* textLines(input: TextSource, maxChars: number): AsyncGenerator<string | LongLine> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  // characters of an over-long line dropped so far (0: not dropping)
  let dropped = 0;
  for await (const chunk of input as AsyncIterable<string | Uint8Array>) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n', start)) {
      const end = nl > start && rest.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (dropped > 0) {
        yield { tooLong: dropped + (end - start) };
        dropped = 0;
      } else if (end - start > maxChars) yield { tooLong: end - start };
      else yield rest.slice(start, end);
      start = nl + 1;
    }
    rest = rest.slice(start);
    if (rest.length > maxChars) {
      dropped += rest.length;
      rest = '';
    }
  }
  rest += decoder.decode();
  if (dropped === 0 && rest.length === 0) return;
  const text = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  if (dropped > 0 || text.length > maxChars) yield { tooLong: dropped + text.length };
  else yield text;
}

/** "64 MiB", or "1000 characters" under a MiB. */
export function describeChars(n: number): string {
  return n >= 1 << 20 ? `${n / (1 << 20)} MiB` : `${n} characters`;
}
