import type { ScoredItems } from '../models/model.ts';

/**
 * Exact top-k of `scores` (plain JS). Entries with `skip[i] !== 0` and non-finite scores are
 * ignored; ties go to the smaller index, so results are deterministic. With `candidates`, only
 * those indices are considered.
 */
export function topKJs(scores: Float32Array, k: number, skip?: Uint8Array, candidates?: ArrayLike<number>): ScoredItems {
  const cap = Math.max(0, k);
  const heapIdx = new Int32Array(cap);
  const heapVal = new Float32Array(cap);
  // min-heap on (score asc, index desc): the root is the worst kept entry. Written as one flat
  // loop without closures: this runs once per request over the whole catalogue, and the
  // closure-based version cost ~10× more per entry.
  let size = 0;
  const total = candidates ? candidates.length : scores.length;
  for (let c = 0; c < total; c++) {
    const i = candidates ? (candidates[c] as number) : c;
    if (skip && skip[i]) continue;
    const v = scores[i] as number;
    // v - v is NaN for ±Infinity, NaN and out-of-range reads (undefined): not finite
    if (v - v !== 0) continue;
    if (size < cap) {
      let pos = size++;
      while (pos > 0) {
        const parent = (pos - 1) >> 1;
        const pv = heapVal[parent] as number;
        if (!(v < pv || (v === pv && i > (heapIdx[parent] as number)))) break;
        heapIdx[pos] = heapIdx[parent] as number;
        heapVal[pos] = pv;
        pos = parent;
      }
      heapIdx[pos] = i;
      heapVal[pos] = v;
    } else if (cap > 0) {
      const rv = heapVal[0] as number;
      if (rv < v || (rv === v && (heapIdx[0] as number) > i)) siftDown(heapIdx, heapVal, size, i, v);
    }
  }
  // heap-sort: repeatedly move the worst kept entry to the end, so the output is best first,
  // ties by smaller index (the heap order is total, so this equals a full sort)
  const items = new Int32Array(size);
  const out = new Float32Array(size);
  for (let end = size - 1; end >= 0; end--) {
    items[end] = heapIdx[0] as number;
    out[end] = heapVal[0] as number;
    if (end > 0) siftDown(heapIdx, heapVal, end, heapIdx[end] as number, heapVal[end] as number);
  }
  return { items, scores: out };
}

/** Puts (i, v) at the root of the min-heap of `size` entries and sifts it down to its place. */
function siftDown(heapIdx: Int32Array, heapVal: Float32Array, size: number, i: number, v: number): void {
  let pos = 0;
  for (;;) {
    const l = 2 * pos + 1;
    if (l >= size) break;
    let m = l;
    let mv = heapVal[l] as number;
    let mi = heapIdx[l] as number;
    const r = l + 1;
    if (r < size) {
      const rv = heapVal[r] as number;
      const ri = heapIdx[r] as number;
      if (rv < mv || (rv === mv && ri > mi)) {
        m = r;
        mv = rv;
        mi = ri;
      }
    }
    // stop when the child is not worse than the entry being placed
    if (!(mv < v || (mv === v && mi > i))) break;
    heapIdx[pos] = mi;
    heapVal[pos] = mv;
    pos = m;
  }
  heapIdx[pos] = i;
  heapVal[pos] = v;
}
