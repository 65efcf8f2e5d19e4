import type { ShownList } from '../../../ports/store.ts';

/**
 * Shown lists as they cross to the log's writer thread: the row values the insert binds, the
 * strings concatenated into one and the numbers in a typed array. postMessage clones a list
 * object with its nested replay request object by object on both threads (~7 µs of the serving
 * thread per served list at 5,000 req/s); the JSON the row stores anyway is made here instead,
 * once, and the pack is a few flat values.
 */
export interface PackedLists {
  /** per list (STRINGS order): recommendationId, userId, surface, itemIds JSON, request JSON, firstId */
  text: string;
  /** per list and string column: its length in `text`, or ABSENT (SQL NULL) */
  lengths: Uint32Array<ArrayBuffer>;
  /** per list: modelVersion (NaN: NULL), timestamp, page */
  numbers: Float64Array<ArrayBuffer>;
}

/** The row values of one list, in the log table's insert order. */
export type LogRowValues = [recommendationId: string, userId: string | null, surface: string, modelVersion: number | null, ts: number, itemIds: string, request: string | null, firstId: string, page: number];

const STRINGS = 6;

/** JSON of a frozen item id array: a cached list's responses all share one (services/recommendations.ts itemIdsOf) */
const itemIdsJson = new WeakMap<readonly string[], string>();

function itemIdsJsonOf(ids: readonly string[]): string {
  let json = itemIdsJson.get(ids);
  if (json === undefined) {
    json = JSON.stringify(ids);
    if (Object.isFrozen(ids)) itemIdsJson.set(ids, json);
  }
  return json;
}
const ABSENT = 0xffffffff;

export function packShownLists(lists: readonly ShownList[]): PackedLists {
  const n = lists.length;
  const lengths = new Uint32Array(n * STRINGS);
  const numbers = new Float64Array(n * 3);
  let text = '';
  const put = (s: string | undefined, at: number): void => {
    if (s === undefined) lengths[at] = ABSENT;
    else {
      lengths[at] = s.length;
      text += s;
    }
  };
  for (let i = 0; i < n; i++) {
    const l = lists[i]!;
    const base = i * STRINGS;
    put(l.recommendationId, base);
    put(l.userId, base + 1);
    put(l.surface, base + 2);
    put(itemIdsJsonOf(l.itemIds), base + 3);
    put(l.request === undefined ? undefined : JSON.stringify(l.request), base + 4);
    put(l.firstId, base + 5);
    numbers[3 * i] = l.modelVersion ?? Number.NaN;
    numbers[3 * i + 1] = l.timestamp;
    numbers[3 * i + 2] = l.page;
  }
  return { text, lengths, numbers };
}

/** Calls `row` with each packed list's row values, in order (one array reused: copy to keep it). */
export function forEachPackedRow(p: PackedLists, row: (values: LogRowValues) => void): void {
  const { text, lengths, numbers } = p;
  const n = numbers.length / 3;
  const values: LogRowValues = ['', null, '', null, 0, '', null, '', 0];
  let pos = 0;
  const take = (at: number): string | null => {
    const len = lengths[at]!;
    if (len === ABSENT) return null;
    return text.slice(pos, (pos += len));
  };
  for (let i = 0; i < n; i++) {
    const base = i * STRINGS;
    values[0] = take(base)!;
    values[1] = take(base + 1);
    values[2] = take(base + 2)!;
    values[5] = take(base + 3)!;
    values[6] = take(base + 4);
    values[7] = take(base + 5)!;
    const version = numbers[3 * i]!;
    values[3] = Number.isNaN(version) ? null : version;
    values[4] = numbers[3 * i + 1]!;
    values[8] = numbers[3 * i + 2]!;
    row(values);
  }
}
