import type { CatalogItem, PropertyValue } from '../pipeline/types.ts';
import { topKJs } from '../kernels/topk.ts';
import { scratchScores } from './topScores.ts';
import { takeRanked, type Retrieved, type RetrievalQuery } from './types.ts';
import { ownValue } from '../data/ownValue.ts';

export interface ContentOptions {
  /** properties compared by value overlap (strings or string lists), e.g. category, brand */
  categorical?: readonly string[];
  /** properties compared by TF-IDF over their words, e.g. title, description */
  text?: readonly string[];
  /** properties compared by closeness, e.g. price */
  numeric?: readonly string[];
  /** bring-your-own embeddings, by item id (all the same length) */
  vectors?: Readonly<Record<string, ArrayLike<number>>>;
}

/**
 * Item content as sparse TF-IDF feature vectors with an inverted index (postings newest
 * first), numeric properties and optional dense embeddings. Plain JSON: build it when the
 * catalogue changes, pass it to every request. New items are reachable from their first
 * minute, without any interaction.
 */
export interface ContentIndex {
  version: 1;
  ids: string[];
  features: string[];
  /** per item ordinal: its feature ids and L2-normalized weights */
  itemFeatures: number[][];
  itemWeights: number[][];
  /** per feature: item ordinals holding it (newest first) and their weights */
  postings: number[][];
  postingWeights: number[][];
  numeric: Record<string, { values: Array<number | null>; min: number; max: number }>;
  /** embedding length, 0 when none */
  dim: number;
  /** per item ordinal its L2-normalized embedding, or null */
  vectors: Array<number[] | null>;
}

const STOP = new Set(['the', 'and', 'of', 'a', 'an', 'to', 'in', 'for', 'with', 'on', 'at', 'by', 'is', 'it', 'or']);

export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => t.length > 1 && !STOP.has(t));
}

function values(v: PropertyValue | undefined): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map(String);
  return [String(v)];
}

export function buildContentIndex(items: Iterable<CatalogItem>, opts: ContentOptions): ContentIndex {
  const list = [...items].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const featureId = new Map<string, number>();
  const df: number[] = [];
  const raw: Array<Map<number, number>> = [];
  for (const it of list) {
    const tf = new Map<number, number>();
    const add = (name: string) => {
      let f = featureId.get(name);
      if (f === undefined) {
        featureId.set(name, (f = featureId.size));
        df.push(0);
      }
      tf.set(f, (tf.get(f) ?? 0) + 1);
    };
    for (const p of opts.categorical ?? []) for (const v of values(ownValue(it.properties, p))) add(`${p}=${v}`);
    for (const p of opts.text ?? []) for (const v of values(ownValue(it.properties, p))) for (const t of tokenize(v)) add(`${p}~${t}`);
    for (const f of tf.keys()) df[f]++;
    raw.push(tf);
  }
  const n = list.length;
  const idf = df.map((d) => Math.log(1 + n / d));
  const postings: number[][] = df.map(() => []);
  const postingWeights: number[][] = df.map(() => []);
  const itemFeatures: number[][] = [];
  const itemWeights: number[][] = [];
  raw.forEach((tf, o) => {
    const fs = [...tf.keys()].sort((a, b) => a - b);
    const ws = fs.map((f) => (1 + Math.log(tf.get(f)!)) * idf[f]);
    const norm = Math.hypot(...ws) || 1;
    for (let k = 0; k < fs.length; k++) {
      ws[k] /= norm;
      postings[fs[k]].push(o);
      postingWeights[fs[k]].push(ws[k]);
    }
    itemFeatures.push(fs);
    itemWeights.push(ws);
  });
  const numeric: ContentIndex['numeric'] = {};
  for (const p of opts.numeric ?? []) {
    const vals = list.map((it) => (typeof ownValue(it.properties, p) === 'number' ? (ownValue(it.properties, p) as number) : null));
    const present = vals.filter((v): v is number => v !== null);
    numeric[p] = { values: vals, min: present.length ? Math.min(...present) : 0, max: present.length ? Math.max(...present) : 0 };
  }
  let dim = 0;
  const vectors = list.map((it) => {
    const v = opts.vectors && ownValue(opts.vectors, it.id);
    if (!v) return null;
    dim = v.length;
    const arr = Array.from(v);
    const norm = Math.hypot(...arr) || 1;
    return arr.map((x) => x / norm);
  });
  return { version: 1, ids: list.map((it) => it.id), features: [...featureId.keys()], itemFeatures, itemWeights, postings, postingWeights, numeric, dim, vectors };
}

const ordinals = new WeakMap<ContentIndex, Map<string, number>>();

/** id → item ordinal, built once per index object. */
export function ordinalOf(index: ContentIndex, id: string): number | undefined {
  let m = ordinals.get(index);
  if (!m) {
    m = new Map(index.ids.map((x, o) => [x, o]));
    ordinals.set(index, m);
  }
  return m.get(id);
}

/**
 * Keeps ordinalOf's memo right for an index that grows in place (the server's live catalogue
 * index appends a new item at ordinal `o` instead of copying a large index per write).
 */
export function noteOrdinal(index: ContentIndex, id: string, o: number): void {
  ordinals.get(index)?.set(id, o);
}

/** Cosine similarity of two items' content (features, and embeddings when both have one). */
export function contentSimilarity(index: ContentIndex, a: string, b: string): number {
  const oa = ordinalOf(index, a);
  const ob = ordinalOf(index, b);
  return oa === undefined || ob === undefined ? 0 : ordinalSimilarity(index, oa, ob);
}

/** contentSimilarity by item ordinals (for callers that resolved ids once). */
export function ordinalSimilarity(index: ContentIndex, oa: number, ob: number): number {
  const va = index.vectors[oa];
  const vb = index.vectors[ob];
  if (va && vb) {
    let dot = 0;
    for (let d = 0; d < va.length; d++) dot += va[d] * vb[d];
    return dot;
  }
  const fa = index.itemFeatures[oa];
  const wa = index.itemWeights[oa];
  const fb = index.itemFeatures[ob];
  const wb = index.itemWeights[ob];
  let i = 0;
  let j = 0;
  let dot = 0;
  while (i < fa.length && j < fb.length) {
    if (fa[i] === fb[j]) dot += wa[i++] * wb[j++];
    else if (fa[i] < fb[j]) i++;
    else j++;
  }
  return dot;
}

export interface ContentQueryOptions {
  /** postings scanned per feature (newest first): bounds the cost of very common features (default 2000) */
  maxScan?: number;
  /** profile features used (default 24) */
  maxFeatures?: number;
  /** weight of numeric closeness next to feature cosine (default 0.2) */
  numericWeight?: number;
}

/**
 * The `limit` items most like a profile of seed items (weights per seed), best first: feature
 * cosine through the inverted index (dense accumulator + top-k, so a request costs the
 * postings it scans, not the catalogue), embedding cosine, then numeric closeness reweighing.
 */
export function contentScores(index: ContentIndex, seeds: ReadonlyMap<string, number>, limit: number, opts: ContentQueryOptions = {}): Array<[string, number]> {
  const profile = new Map<number, number>();
  const seedOrd: number[] = [];
  const seedW: number[] = [];
  for (const [id, w] of seeds) {
    const o = ordinalOf(index, id);
    if (o === undefined) continue;
    seedOrd.push(o);
    seedW.push(w);
    const fs = index.itemFeatures[o];
    const ws = index.itemWeights[o];
    for (let k = 0; k < fs.length; k++) profile.set(fs[k], (profile.get(fs[k]) ?? 0) + w * ws[k]);
  }
  if (seedOrd.length === 0) return [];
  const feats = [...profile].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, opts.maxFeatures ?? 24);
  const pnorm = Math.hypot(...profile.values()) || 1;
  const maxScan = opts.maxScan ?? 2000;
  const acc = scratchScores(index.ids.length, 'content');
  const touched: number[] = [];
  for (const [f, pw] of feats) {
    const post = index.postings[f];
    const pwt = index.postingWeights[f];
    const m = Math.min(post.length, maxScan);
    const w = pw / pnorm;
    for (let k = 0; k < m; k++) {
      const o = post[k];
      if (acc[o] === 0) touched.push(o);
      acc[o] += w * pwt[k];
    }
  }
  // embeddings: brute force over items with a vector (bring-your-own vectors are usually few)
  if (index.dim > 0) {
    const mean = new Float64Array(index.dim);
    let have = 0;
    seedOrd.forEach((o, s) => {
      const v = index.vectors[o];
      if (!v) return;
      have++;
      for (let d = 0; d < v.length; d++) mean[d] += seedW[s] * v[d];
    });
    if (have > 0) {
      const mn = Math.hypot(...mean) || 1;
      index.vectors.forEach((v, o) => {
        if (!v) return;
        let dot = 0;
        for (let d = 0; d < v.length; d++) dot += v[d] * mean[d];
        const cos = dot / mn;
        if (cos > acc[o]) {
          if (acc[o] === 0) touched.push(o);
          acc[o] = cos;
        }
      });
    }
  }
  for (const o of seedOrd) acc[o] = -Infinity;
  // numeric closeness only reweighs, by at most numericWeight: pre-select a margin of the top
  const numW = Object.keys(index.numeric).length > 0 ? (opts.numericWeight ?? 0.2) : 0;
  const pre = topKJs(acc, numW > 0 ? Math.ceil(limit / (1 - numW)) + 20 : limit, undefined, touched);
  // the buffer is shared: leave it zeroed for the next request
  for (const o of touched) acc[o] = 0;
  for (const o of seedOrd) acc[o] = 0;
  if (numW === 0) return Array.from(pre.items, (o, k) => [index.ids[o], pre.scores[k]] as [string, number]);
  const numProps = Object.values(index.numeric);
  const targets = numProps.map((p) => {
    let s = 0;
    let c = 0;
    for (const o of seedOrd) {
      const v = p.values[o];
      if (v !== null) {
        s += v;
        c++;
      }
    }
    return c > 0 ? s / c : null;
  });
  const out: Array<[string, number]> = Array.from(pre.items, (o, k) => {
    const score = pre.scores[k];
    let bonus = 0;
    let used = 0;
    numProps.forEach((p, j) => {
      const t = targets[j];
      const v = p.values[o];
      if (t === null || v === null) return;
      bonus += 1 - Math.abs(v - t) / (p.max - p.min || 1);
      used++;
    });
    // closeness only reweighs items that already share content, it never creates a match
    return [index.ids[o], used > 0 ? score * (1 - numW + numW * (bonus / used)) : score];
  });
  out.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return out.slice(0, limit);
}

/** Items like the seed items (current item or recent history), by content alone. */
export function retrieveContent(query: RetrievalQuery, n: number, opts: ContentQueryOptions = {}): Retrieved[] {
  const index = query.indexes.content;
  if (!index) return [];
  const seeds = new Map<string, number>();
  if (query.seedIds.length > 0) for (const id of query.seedIds) seeds.set(id, 1);
  else {
    // recent history weighs more: the last 10 items with linearly rising weights
    const recent = query.historyIds.slice(-10);
    recent.forEach((id, k) => seeds.set(id, (k + 1) / recent.length));
  }
  // ask for more than n: some of the best may be excluded for this user
  const ranked = contentScores(index, seeds, n * 2 + 20, opts);
  const because = [...seeds.keys()].slice(-3);
  // the page's item (or the cart) is named; a history is "items you looked at"
  const text = query.seedIds.length > 0 ? `Similar to ${because.join(', ')}` : 'Similar to items you looked at';
  return takeRanked(query, ranked, n, () => ({ type: 'content-similar', text, itemIds: because }));
}
