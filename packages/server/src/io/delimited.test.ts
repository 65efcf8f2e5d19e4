import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DelimitedError, numberField, readDelimited, readDelimitedFile, textField, type DelimitedOptions, type DelimitedRow } from './delimited.ts';

async function all(input: Iterable<string> | AsyncIterable<string | Uint8Array>, opts: DelimitedOptions = {}): Promise<DelimitedRow[]> {
  const out: DelimitedRow[] = [];
  for await (const r of readDelimited(input, opts)) out.push(r);
  return out;
}

async function failure(p: Promise<unknown>): Promise<DelimitedError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DelimitedError) return e;
    throw e;
  }
  throw new Error('expected a DelimitedError');
}

const fields = { user_id: ['user', 'userId'], item_id: ['item', 'itemId'] };

describe('readDelimited', () => {
  it('reads TSV with line numbers, skipping blank lines, CRLF and a BOM', async () => {
    const rows = await all(['\uFEFFuser_id\titem_id\r\n1\t2\r\n', '\r\n3\t4'], { fields });
    expect(rows).toEqual([
      { line: 2, record: { user_id: '1', item_id: '2' } },
      { line: 4, record: { user_id: '3', item_id: '4' } },
    ]);
  });

  it('sniffs the delimiter and maps header aliases case-insensitively', async () => {
    const rows = await all(['UserId,Item,rating\nu1,i1,4.5\n'], { fields, required: ['user_id', 'item_id'] });
    expect(rows[0]?.record).toEqual({ user_id: 'u1', item_id: 'i1', rating: '4.5' });
  });

  it('handles RFC 4180 quoting, including a quoted line break', async () => {
    const rows = await all(['a,b\n"x, y","he said ""hi"""\n"multi\nline",z\nlast,1\n']);
    expect(rows.map((r) => r.record)).toEqual([
      { a: 'x, y', b: 'he said "hi"' },
      { a: 'multi\nline', b: 'z' },
      { a: 'last', b: '1' },
    ]);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 5]);
  });

  it('splits records across arbitrary chunk boundaries, also in the middle of UTF-8 characters', async () => {
    const bytes = new TextEncoder().encode('a\tb\ncafé\t1\nnaïve\t2\n');
    async function* chunks() {
      for (let p = 0; p < bytes.length; p += 3) yield bytes.subarray(p, p + 3);
    }
    const rows = await all(chunks(), { delimiter: '\t' });
    expect(rows.map((r) => r.record.a)).toEqual(['café', 'naïve']);
  });

  it('errors name the file, line and field', async () => {
    const missing = await failure(all(['user_id,rating\n1,2\n'], { fields, required: ['user_id', 'item_id'], source: 'f.csv' }));
    expect(missing.code).toBe('missing_column');
    expect(missing.message).toMatch(/^f\.csv:1: field "item_id": missing column/);

    const empty = await failure(all([''], { source: 'e.tsv' }));
    expect(empty.code).toBe('empty_file');
    expect(empty.message).toMatch(/^e\.tsv:1: empty file/);

    const ragged = await failure(all(['a,b\n1,2\n3\n'], { source: 'r.csv' }));
    expect(ragged.message).toBe('r.csv:3: expected 2 fields (as in the header), got 1');

    const dup = await failure(all(['user,userId\n1,2\n'], { fields, source: 'd.csv' }));
    expect(dup.code).toBe('duplicate_column');

    const open = await failure(all(['a,b\n"x,1\n'], { source: 'q.csv' }));
    expect(open.message).toMatch(/^q\.csv:2: a quoted field is never closed/);
  });

  it('numberField and textField point at the offending value', async () => {
    const [row] = await all(['a,b,c\nx,1.5,\n']);
    const r = row as DelimitedRow;
    expect(numberField(r, 'b', 'f')).toBe(1.5);
    expect(numberField(r, 'c', 'f', { optional: true })).toBeUndefined();
    expect(() => numberField(r, 'a', 'f')).toThrow('f:2: field "a": expected a number, got "x"');
    expect(() => numberField(r, 'b', 'f', { integer: true })).toThrow(/expected an integer/);
    expect(() => textField(r, 'c', 'f')).toThrow('f:2: field "c": is empty');
  });

  it('reads files, choosing the delimiter from the extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-delim-'));
    const path = join(dir, 'x.tsv');
    // a comma inside a TSV field is data, and TSV quotes are literal
    writeFileSync(path, 'user_id\titem_id\n1\t"a,b"\n');
    const out: DelimitedRow[] = [];
    for await (const r of readDelimitedFile(path)) out.push(r);
    expect(out).toEqual([{ line: 2, record: { user_id: '1', item_id: '"a,b"' } }]);
    const missing = await failure((async () => {
      for await (const _ of readDelimitedFile(path, { required: ['timestamp'] })) void _;
    })());
    expect(missing.message.startsWith(`${path}:1:`)).toBe(true);
  });
});
