import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonLines, type JsonLine } from './jsonLines.ts';

const dir = mkdtempSync(join(tmpdir(), 'attune-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(text: string, maxLineChars?: number): Promise<JsonLine[]> {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(path, text);
  const out: JsonLine[] = [];
  for await (const l of readJsonLines(path, maxLineChars)) out.push(l);
  return out;
}

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
});
