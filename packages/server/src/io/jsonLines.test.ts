import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonLines, readJsonRecords, type JsonLine } from './jsonLines.ts';

const dir = mkdtempSync(join(tmpdir(), 'attune-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
async function collect(text: string, reader: (path: string) => AsyncGenerator<JsonLine>): Promise<JsonLine[]> {
  const path = join(dir, `f${files++}.json`);
  writeFileSync(path, text);
  const out: JsonLine[] = [];
  for await (const l of reader(path)) out.push(l);
  return out;
}
const read = (text: string, maxLineChars?: number): Promise<JsonLine[]> => collect(text, (p) => readJsonLines(p, maxLineChars));
const records = (text: string, maxArrayBytes?: number): Promise<JsonLine[]> => collect(text, (p) => readJsonRecords(p, maxArrayBytes));

describe('readJsonLines', () => {
  it('numbers lines from 1, skips blank ones, takes CRLF, a BOM and a last line without a break', async () => {
    const lines = await read('\ufeff{"a":1}\r\n\n  \n[2]\nnot json\n{"b":3}');
    expect(lines.map((l) => [l.line, l.value ?? l.error?.slice(0, 14)])).toEqual([
      [1, { a: 1 }],
      [4, [2]],
      [5, 'not valid JSON'],
      [6, { b: 3 }],
    ]);
  });

  it('reports a line over the limit without holding it, across read chunks, and reads on', async () => {
    // 100 KB lines span the stream's 64 KiB chunks
    const long = `{"x":"${'y'.repeat(100_000)}"}`;
    const lines = await read(`{"a":1}\n${long}\n{"b":2}\r\n${long}`, 1000);
    expect(lines.map((l) => [l.line, l.value ?? l.error?.slice(0, 29)])).toEqual([
      [1, { a: 1 }],
      [2, 'line is over 1000 characters:'],
      [3, { b: 2 }],
      [4, 'line is over 1000 characters:'],
    ]);
    expect(lines[1]?.error).toMatch(/jq -c/);
  });

  describe('readJsonRecords', () => {
    it('reads a file holding one JSON array element by element, each numbered by the line it starts on', async () => {
      const text = '\ufeff[\n  {"a": 1, "s": "x, ] } \\" ["},\n  {\n    "b": [2, {"c": 3}]\n  },\n  7, "eight", null\n]\n';
      const lines = await records(text);
      expect(lines.map((l) => [l.line, l.value])).toEqual([
        [2, { a: 1, s: 'x, ] } " [' }],
        [3, { b: [2, { c: 3 }] }],
        [6, 7],
        [6, 'eight'],
        [6, null],
      ]);
      expect((await records('[{"a":1},{"b":2}]')).map((l) => [l.line, l.value])).toEqual([
        [1, { a: 1 }],
        [1, { b: 2 }],
      ]);
      expect(await records('  []  ')).toEqual([]);
    });

    it('a broken array is one error with its line and column; JSON Lines and a first-line array stay JSON Lines', async () => {
      const broken = await records('[\n  {"a": 1},\n  {"b" 2}\n]');
      expect(broken).toHaveLength(1);
      expect(broken[0]).toMatchObject({ line: 3, error: expect.stringContaining('line 3, column 8') });
      expect((await records('{"a":1}\n{"b":2}\n')).map((l) => [l.line, l.value])).toEqual([
        [1, { a: 1 }],
        [2, { b: 2 }],
      ]);
      expect((await records('[1, 2]\n{"b":2}\n')).map((l) => [l.line, l.value])).toEqual([
        [1, [1, 2]],
        [2, { b: 2 }],
      ]);
    });

    it('refuses an array over the size limit with a hint, without reading it', async () => {
      const lines = await records(`[${'1,'.repeat(100)}1]`, 50);
      expect(lines).toHaveLength(1);
      expect(lines[0]?.error).toMatch(/JSON array file over 50 bytes.*jq -c/);
    });
  });
});
