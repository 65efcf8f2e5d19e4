import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One JSONL line: its parsed value, or why it does not parse. */
export type JsonLine = { line: number; bytes: number; value: unknown; error?: undefined } | { line: number; bytes: number; value?: undefined; error: string };

/** Streams a JSON Lines file (blank lines skipped), keeping 1-based line numbers for reports. */
export async function* readJsonLines(path: string): AsyncGenerator<JsonLine> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    const bytes = Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    try {
      yield { line, bytes, value: JSON.parse(line === 1 ? text.replace(/^\uFEFF/, '') : text) as unknown };
    } catch (err) {
      yield { line, bytes, error: `not valid JSON: ${(err as Error).message}` };
    }
  }
}
