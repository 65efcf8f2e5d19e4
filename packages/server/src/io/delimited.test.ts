import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DelimitedError, MAX_QUOTED_RECORD_CHARS, numberField, readDelimited, readDelimitedFile, textField, type DelimitedOptions, type DelimitedRow } from './delimited.ts';

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

  it('round-trips any fields written with RFC 4180 quoting, line breaks and all', async () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é'), maxLength: 8 });
    const quote = (c: string): string => (/[",\r\n]/.test(c) || c.trim() !== c ? `"${c.replace(/"/g, '""')}"` : c);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }).chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 }).map((rows) => ({ width, rows }))), fc.constantFrom('\n', '\r\n'), async ({ width, rows }, eol) => {
        const header = Array.from({ length: width }, (_, k) => `c${k}`);
        // a record whose every field is empty is a blank line, which readers skip
        const kept = rows.filter((r) => r.some((c) => c !== ''));
        const text = [header.join(','), ...kept.map((r) => r.map(quote).join(','))].join(eol);
        const read = await all([text], { delimiter: ',' });
        // line breaks inside quotes are read back as \n (the reader splits physical lines on \r?\n)
        expect(read.map((r) => header.map((h) => r.record[h]))).toEqual(kept.map((r) => r.map((c) => c.replace(/\r\n/g, '\n'))));
      }),
      { numRuns: 200 },
    );
  });

  describe("badRows: 'report'", () => {
    it('yields a ragged row as an error row and reads on', async () => {
      const rows = await all(['a,b\n1,2\n3\n4,5\n'], { source: 'r.csv', badRows: 'report' });
      expect(rows.map((r) => [r.line, r.error?.code, r.record])).toEqual([
        [2, undefined, { a: '1', b: '2' }],
        [3, 'bad_row', {}],
        [4, undefined, { a: '4', b: '5' }],
      ]);
    });

    it('reports a quote never closed on the line it opened on, then reads the lines after that one', async () => {
      const rows = await all(['a,b\n1,"2\n3,4\n5,"six, with comma"\n'], { source: 'q.csv', badRows: 'report' });
      // line 2's quote is closed by the first quote of line 4: that record is ragged, not open
      expect(rows.map((r) => [r.line, r.error?.code])).toEqual([[2, 'bad_row']]);
      const open = await all(['a,b\n1,"2\n3,4\n5,6\n'], { source: 'q.csv', badRows: 'report' });
      expect(open.map((r) => [r.line, r.error?.code ?? r.record])).toEqual([
        [2, 'unclosed_quote'],
        [3, { a: '3', b: '4' }],
        [4, { a: '5', b: '6' }],
      ]);
      expect(open[0]?.error?.message).toBe('q.csv:2: a quoted field is never closed');
    });

    it('yields a line over maxLineChars as an error row without holding it, and reads on', async () => {
      const long = 'x'.repeat(100_000);
      const rows = await all([`a,b\n1,2\n${long},${long}\n3,4\n5,"open\n${long}\n6,7\n`], { source: 'l.csv', badRows: 'report', maxLineChars: 1000 });
      expect(rows.map((r) => [r.line, r.error?.code ?? r.record])).toEqual([
        [2, { a: '1', b: '2' }],
        [3, 'bad_row'],
        [4, { a: '3', b: '4' }],
        // the quote opened on line 5 meets the over-long line 6: line 5 is refused, line 6 too, and 7 is read
        [5, 'unclosed_quote'],
        [6, 'bad_row'],
        [7, { a: '6', b: '7' }],
      ]);
      expect(rows[1]?.error?.reason).toBe('line is over 1000 characters');
    });

    it(`gives up on a quote still open after ${MAX_QUOTED_RECORD_CHARS} characters, and reads on from the next line`, async () => {
      const filler: string[] = [];
      for (let chars = 0, k = 0; chars <= MAX_QUOTED_RECORD_CHARS; k++) chars += filler[filler.push(`u${k},i${k}`) - 1]!.length + 1;
      const text = ['a,b', 'x,"stray', ...filler, 'p,"closed, later"'].join('\n');
      const rows = await all([text], { source: 'big.csv', badRows: 'report' });
      expect(rows[0]?.line).toBe(2);
      expect(rows[0]?.error?.code).toBe('unclosed_quote');
      expect(rows[0]?.error?.reason).toMatch(/still open 1 MiB later/);
      // every filler line and the last one come back as records of their own
      expect(rows.length).toBe(1 + filler.length + 1);
      expect(rows[1]?.record).toEqual({ a: 'u0', b: 'i0' });
      expect(rows.at(-1)?.record).toEqual({ a: 'p', b: 'closed, later' });
      // and the default stops at it
      const err = await failure(all([text], { source: 'big.csv' }));
      expect(err.code).toBe('unclosed_quote');
      expect(err.line).toBe(2);
    });
  });
});
