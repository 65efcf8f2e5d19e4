/**
 * Beyond-accuracy measures over the recommendation lists of all evaluated users: how much of the
 * catalogue gets shown, how unexpected and varied the lists are, and how much they lean on
 * popular items.
 */

/** Distinct recommended items over the catalogue size. */
export function catalogueCoverage(lists: readonly ArrayLike<number>[], catalogueSize: number): number {
  if (catalogueSize <= 0) return 0;
  const seen = new Uint8Array(catalogueSize);
  let distinct = 0;
  for (const list of lists) {
    for (let r = 0; r < list.length; r++) {
      const i = list[r] as number;
      if (i >= 0 && i < catalogueSize && !seen[i]) {
        seen[i] = 1;
        distinct++;
      }
    }
  }
  return distinct / catalogueSize;
}

/**
 * Mean self-information −log2 p(i) of recommended items, averaged per list then over lists, where
 * p(i) = (users who interacted with i + 1) / (users + 1). The +1 keeps items nobody interacted
 * with finite (they are the most novel).
 */
export function novelty(lists: readonly ArrayLike<number>[], itemUserCounts: ArrayLike<number>, numUsers: number): number {
  let total = 0;
  let counted = 0;
  for (const list of lists) {
    if (list.length === 0) continue;
    let s = 0;
    for (let r = 0; r < list.length; r++) {
      const c = (itemUserCounts[list[r] as number] as number | undefined) ?? 0;
      s += -Math.log2((c + 1) / (numUsers + 1));
    }
    total += s / list.length;
    counted++;
  }
  return counted > 0 ? total / counted : 0;
}

/** Item vectors (features one-hot encoded, or embeddings); undefined when an item has none. */
export type ItemVectors = (item: number) => ArrayLike<number> | undefined;

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let d = 0; d < n; d++) {
    const x = a[d] as number;
    const y = b[d] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * Intra-list diversity: mean pairwise cosine distance (1 − cosine) between the items of one list.
 * Pairs where either item has no vector are skipped; a list with no usable pair gives undefined.
 */
export function intraListDiversity(list: ArrayLike<number>, vectors: ItemVectors): number | undefined {
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < list.length; a++) {
    const va = vectors(list[a] as number);
    if (!va) continue;
    for (let b = a + 1; b < list.length; b++) {
      const vb = vectors(list[b] as number);
      if (!vb) continue;
      sum += 1 - cosine(va, vb);
      pairs++;
    }
  }
  return pairs > 0 ? sum / pairs : undefined;
}

/** Mean of intraListDiversity over the lists that have one. */
export function meanIntraListDiversity(lists: readonly ArrayLike<number>[], vectors: ItemVectors): number | undefined {
  let total = 0;
  let counted = 0;
  for (const list of lists) {
    const d = intraListDiversity(list, vectors);
    if (d !== undefined) {
      total += d;
      counted++;
    }
  }
  return counted > 0 ? total / counted : undefined;
}

/** One-hot vectors from per-item feature lists (e.g. genres), for intra-list diversity. */
export function oneHotVectors(features: readonly (readonly string[] | undefined)[]): ItemVectors {
  const vocab = new Map<string, number>();
  for (const fs of features) for (const f of fs ?? []) if (!vocab.has(f)) vocab.set(f, vocab.size);
  const vecs = features.map((fs) => {
    if (!fs || fs.length === 0) return undefined;
    const v = new Float32Array(vocab.size);
    for (const f of fs) v[vocab.get(f) as number] = 1;
    return v;
  });
  return (item) => vecs[item];
}

/** Average recommendation popularity (ARP): mean over lists of the mean user count of their items. */
export function averagePopularity(lists: readonly ArrayLike<number>[], itemUserCounts: ArrayLike<number>): number {
  let total = 0;
  let counted = 0;
  for (const list of lists) {
    if (list.length === 0) continue;
    let s = 0;
    for (let r = 0; r < list.length; r++) s += (itemUserCounts[list[r] as number] as number | undefined) ?? 0;
    total += s / list.length;
    counted++;
  }
  return counted > 0 ? total / counted : 0;
}

/** How often each catalogue item appears across all lists. */
export function exposureCounts(lists: readonly ArrayLike<number>[], catalogueSize: number): Float64Array {
  const counts = new Float64Array(catalogueSize);
  for (const list of lists) for (let r = 0; r < list.length; r++) counts[list[r] as number]++;
  return counts;
}

/**
 * Gini coefficient of a non-negative distribution: 0 when every entry is equal, → 1 when one
 * entry holds everything. Over exposure counts it measures how unequally items are shown.
 */
export function gini(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += sorted[i] as number;
    weighted += (2 * (i + 1) - n - 1) * (sorted[i] as number);
  }
  return total > 0 ? weighted / (n * total) : 0;
}

/** Gini of exposure over the whole catalogue (items never recommended count as zeros). */
export function giniExposure(lists: readonly ArrayLike<number>[], catalogueSize: number): number {
  return gini(exposureCounts(lists, catalogueSize));
}
