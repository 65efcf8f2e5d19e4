import type { ScoredItems } from '../models/model.ts';

/**
 * Exact top-k of `scores` (plain JS). Entries with `skip[i] !== 0` and non-finite scores are
 * ignored; ties go to the smaller index, so results are deterministic. With `candidates`, only
 * those indices are considered.
 */
export function topKJs(scores: Float32Array, k: number, skip?: Uint8Array, candidates?: ArrayLike<number>): ScoredItems {
  const heapIdx = new Int32Array(Math.max(0, k));
  const heapVal = new Float32Array(Math.max(0, k));
  let size = 0;
  // min-heap on (score asc, index desc): the root is the worst kept entry
  const worse = (va: number, ia: number, vb: number, ib: number): boolean => va < vb || (va === vb && ia > ib);
  const siftDown = (pos: number): void => {
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= size) return;
      const r = l + 1;
      let m = l;
      if (r < size && worse(heapVal[r] as number, heapIdx[r] as number, heapVal[l] as number, heapIdx[l] as number)) m = r;
      if (!worse(heapVal[m] as number, heapIdx[m] as number, heapVal[pos] as number, heapIdx[pos] as number)) return;
      swap(heapIdx, heapVal, m, pos);
      pos = m;
    }
  };
  const consider = (i: number): void => {
    if (skip && skip[i]) return;
    const v = scores[i] as number;
    if (!Number.isFinite(v)) return;
    if (size < k) {
      let pos = size++;
      heapIdx[pos] = i;
      heapVal[pos] = v;
      while (pos > 0) {
        const parent = (pos - 1) >> 1;
        if (!worse(heapVal[pos] as number, heapIdx[pos] as number, heapVal[parent] as number, heapIdx[parent] as number)) break;
        swap(heapIdx, heapVal, pos, parent);
        pos = parent;
      }
    } else if (k > 0 && worse(heapVal[0] as number, heapIdx[0] as number, v, i)) {
      heapIdx[0] = i;
      heapVal[0] = v;
      siftDown(0);
    }
  };
  if (candidates) for (let c = 0; c < candidates.length; c++) consider(candidates[c] as number);
  else for (let i = 0; i < scores.length; i++) consider(i);
  const order = Array.from({ length: size }, (_, j) => j).sort(
    (a, b) => (heapVal[b] as number) - (heapVal[a] as number) || (heapIdx[a] as number) - (heapIdx[b] as number),
  );
  return { items: Int32Array.from(order, (j) => heapIdx[j] as number), scores: Float32Array.from(order, (j) => heapVal[j] as number) };
}

function swap(idx: Int32Array, val: Float32Array, a: number, b: number): void {
  const ti = idx[a] as number;
  idx[a] = idx[b] as number;
  idx[b] = ti;
  const tv = val[a] as number;
  val[a] = val[b] as number;
  val[b] = tv;
}
