/**
 * `npm run bench:pipeline`: the recommendation pipeline's trade-offs and speed.
 *
 *  1. ml-latest-small, P1 split: NDCG@10 vs intra-list diversity (genres) and catalogue
 *     coverage as the diversity knob goes 0 → 1 (MMR over genre overlap with both terms normalized,
 *     picks re-sorted by score; stages/mmr.ts), with item-kNN.
 *  2. Exploration: share of impressions and distinct items going to new arrivals (items first
 *     rated in the last 30 days of the train period) as exploration goes 0 → 0.3, and its
 *     NDCG cost.
 *  3. Latency: p50/p95/p99 of a homepage-like scenario (collaborative + content + trending,
 *     two filter rules, diversity 0.3, explanations) on a 100k-item synthetic catalogue.
 *
 * Knobs (environment): BENCH_MODEL (default item-knn), BENCH_REQUESTS (default 2000),
 * BENCH_SKIP_LATENCY=1 / BENCH_ONLY_LATENCY=1 (one part only; BENCHMARKS.md is then left alone).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import {
  buildContentIndex,
  buildEvalData,
  buildInteractionMatrix,
  buildNewArrivalsIndex,
  buildPopularityIndex,
  buildTrendingIndex,
  catalogueCoverage,
  createModel,
  DEFAULT_KNOBS,
  generateSynthetic,
  meanIntraListDiversity,
  memoryCatalog,
  ndcgAtK,
  oneHotVectors,
  runPipeline,
  type CatalogItem,
  type Interaction,
  type PipelineIndexes,
  type PipelineInputs,
  type Scenario,
  type UserProfile,
} from '../packages/engine/src/index.ts';
import { table, writeSection } from './report.ts';
import { sharedPath } from './sharedData.ts';

const MODEL = process.env.BENCH_MODEL ?? 'item-knn';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const ML = sharedPath('datasets', 'ml-latest-small');
const P1 = sharedPath('benchmarks', 'ml-latest-small');
const DAY = 86_400_000;

function readTsv(path: string): Interaction[] {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => {
    const [u, i, r, t] = l.split('\t');
    return { userId: u, itemId: i, type: 'rating', value: Number(r), timestamp: Number(t) * 1000 };
  });
}

/** movies.csv: movieId,title,genres with quoted titles that may hold commas. */
function readGenres(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(`${ML}/movies.csv`, 'utf8').trim().split('\n').slice(1)) {
    const first = line.indexOf(',');
    const last = line.lastIndexOf(',');
    const genres = line.slice(last + 1).trim();
    out.set(line.slice(0, first), genres === '(no genres listed)' ? [] : genres.split('|'));
  }
  return out;
}

function scenario(name: string, retrievers: Scenario['retrievers'], over: Partial<Scenario> = {}): Scenario {
  return { name, retrievers, filters: [], boosts: [], promotions: [], caps: [], knobs: { ...DEFAULT_KNOBS }, excludeSeen: true, categoryProperty: 'genres', segmentBy: [], ...over };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;

async function movielens(): Promise<string> {
  const train = readTsv(`${P1}/p1_train.tsv`);
  const test = readTsv(`${P1}/p1_test.tsv`);
  const genres = readGenres();
  const data = buildEvalData(train, test);
  const model = createModel(MODEL);
  await model.fit(data.train, { now: data.now, timestamps: data.timestamps });
  const trainEnd = data.now ?? 0;
  const firstSeen = new Map<string, number>();
  for (const e of train) if (!firstSeen.has(e.itemId) || (e.timestamp ?? 0) < firstSeen.get(e.itemId)!) firstSeen.set(e.itemId, e.timestamp ?? 0);
  const ids: string[] = [];
  for (let i = 0; i < data.items.size; i++) ids.push(data.items.id(i));
  const items: CatalogItem[] = ids.map((id, index) => ({ id, index, properties: { genres: genres.get(id) ?? [] }, available: true, createdAt: firstSeen.get(id) ?? trainEnd }));
  const catalog = memoryCatalog(items, data.items.size);
  const vectors = oneHotVectors(items.map((it) => it.properties.genres as string[]));
  const historyOf = new Map<string, UserProfile['history'][number][]>();
  for (const e of train) {
    const l = historyOf.get(e.userId) ?? [];
    l.push({ itemId: e.itemId, type: 'rating', timestamp: e.timestamp ?? 0 });
    historyOf.set(e.userId, l);
  }
  for (const l of historyOf.values()) l.sort((a, b) => a.timestamp - b.timestamp);
  const users = Array.from(data.test.users, (u, k) => ({ id: data.users.id(u), relevant: new Set(data.test.relevant[k]) }));
  const newArrivals = buildNewArrivalsIndex(items, 5000);
  const indexes: PipelineIndexes = { newArrivals };
  const run = (knobs: Partial<Scenario['knobs']>) => {
    const lists: string[][] = [];
    const s = scenario('bench', [{ type: 'collaborative', n: 200 }]);
    for (const u of users) {
      const user: UserProfile = { id: u.id, index: -1, attributes: {}, history: historyOf.get(u.id) ?? [], preferences: {} };
      const inputs: PipelineInputs = { model, catalog, user, context: { now: trainEnd }, indexes };
      lists.push(runPipeline(inputs, { n: 10, scenario: s, knobs }).items.map((i) => i.itemId));
    }
    const asIdx = lists.map((l) => l.map((id) => data.items.index(id)));
    const ndcg = mean(asIdx.map((l, k) => ndcgAtK(l, users[k].relevant, 10)));
    return { lists, ndcg, ild: meanIntraListDiversity(asIdx, vectors) ?? 0, coverage: catalogueCoverage(asIdx, data.items.size) };
  };

  const rows: Array<Array<string | number>> = [];
  const base = run({ diversity: 0 });
  let at03 = base;
  for (const d of [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1]) {
    const r = d === 0 ? base : run({ diversity: d });
    if (d === 0.3) at03 = r;
    rows.push([d, f3(r.ndcg), pct(r.ndcg / base.ndcg - 1), f3(r.ild), pct(r.ild / base.ild - 1), f3(r.coverage)]);
  }
  const goal = at03.ild / base.ild - 1 >= 0.25 && at03.ndcg / base.ndcg - 1 >= -0.05;

  const isNew = (id: string) => (catalog.byId(id)?.createdAt ?? 0) > trainEnd - 30 * DAY;
  const newCount = items.filter((it) => isNew(it.id)).length;
  const exRows: Array<Array<string | number>> = [];
  for (const e of [0, 0.05, 0.1, 0.2, 0.3]) {
    const r = e === 0 ? base : run({ diversity: 0, exploration: e, newItemDays: 30 });
    const shown = r.lists.flat();
    const fresh = shown.filter(isNew);
    exRows.push([e, fresh.length, pct(fresh.length / shown.length).replace('+', ''), new Set(fresh).size, f3(r.ndcg), pct(r.ndcg / base.ndcg - 1)]);
  }
  return [
    `### Diversity on ml-latest-small (P1 split, ${users.length} test users, ${MODEL}, collaborative retriever, 200 candidates re-ranked, MMR with relevance by rank (1 − log2(1 + rank) / 7) and mean genre similarity min-max normalized at each step, picks sorted by score; novelty weight θ = 2d / (1 + d))`,
    '',
    table(['diversity', 'NDCG@10', 'Δ NDCG', 'ILD (genres)', 'Δ ILD', 'coverage'], rows),
    '',
    `Goal at diversity 0.3 (≥ 25 % more ILD for ≤ 5 % NDCG loss): **${goal ? 'met' : 'not met'}** (${pct(at03.ild / base.ild - 1)} ILD, ${pct(at03.ndcg / base.ndcg - 1)} NDCG).`,
    '',
    'Previous stage (plain mean-similarity MMR, θ = d, score min-max relevance, at 3108971) for comparison, Δ NDCG / Δ ILD: 0.3 → −0.7 % / +10.1 %, 0.5 → −4.2 % / +17.9 %, 0.6 → −4.1 % / +22.4 %, 0.7 → −8.2 % / +27.1 %, 0.8 → −12.7 % / +32.6 %, 0.9 → −17.6 % / +37.2 %, 1 → −25.5 % / +39.3 %.',
    '',
    `### Exploration on ml-latest-small (new = first rated in the last 30 days of train: ${newCount} items)`,
    '',
    table(['exploration', 'new-item impressions', 'share of impressions', 'distinct new items shown', 'NDCG@10', 'Δ NDCG'], exRows),
  ].join('\n');
}

function latency(): string {
  const nItems = 100_000;
  const t0 = performance.now();
  const data = generateSynthetic({ users: 20_000, items: nItems, clusters: 50, interactionsPerUser: 20, seed: 11 });
  const m = buildInteractionMatrix(data.interactions);
  const model = createModel(MODEL);
  void model.fit(m.matrix, {});
  let now = 0;
  for (const e of data.interactions) if ((e.timestamp ?? 0) > now) now = e.timestamp ?? 0;
  now += 3_600_000;
  const items: CatalogItem[] = data.items.map((it, k) => ({
    id: it.id,
    index: m.items.has(it.id) ? m.items.index(it.id) : -1,
    properties: { category: it.category, price: it.price, title: it.title },
    available: true,
    createdAt: now - (nItems - k) * 60_000,
  }));
  const catalog = memoryCatalog(items, m.items.size);
  const indexes: PipelineIndexes = {
    trending: buildTrendingIndex(data.interactions.map((e) => ({ itemId: e.itemId, timestamp: e.timestamp ?? 0 })), { now }),
    popularity: buildPopularityIndex(data.interactions),
    content: buildContentIndex(items, { categorical: ['category'], text: ['title'] }),
  };
  const setup = (performance.now() - t0) / 1000;
  const byUser = new Map<string, UserProfile['history'][number][]>();
  for (const e of data.interactions) {
    const l = byUser.get(e.userId) ?? [];
    l.push({ itemId: e.itemId, type: e.type ?? 'view', timestamp: e.timestamp ?? 0 });
    byUser.set(e.userId, l);
  }
  const s = scenario('latency', [{ type: 'collaborative', n: 150 }, { type: 'content', n: 100, weight: 0.5 }, { type: 'trending', n: 50, weight: 0.3 }], {
    filters: ['item.price < 95', "item.category != 'c7'"],
    categoryProperty: 'category',
    knobs: { ...DEFAULT_KNOBS, diversity: 0.3 },
  });
  const userIds = [...byUser.keys()];
  const times: number[] = [];
  const cpu: number[] = [];
  const runOne = (k: number) => {
    const u = userIds[(k * 7919) % userIds.length];
    const user: UserProfile = { id: u, index: -1, attributes: {}, history: byUser.get(u) ?? [], preferences: {} };
    const c = process.cpuUsage();
    const t = performance.now();
    const r = runPipeline({ model, catalog, user, context: { now }, indexes }, { n: 10, scenario: s, explain: true });
    const dt = performance.now() - t;
    const dc = process.cpuUsage(c);
    if (r.items.length !== 10) throw new Error('short list');
    return [dt, (dc.user + dc.system) / 1000];
  };
  for (let k = 0; k < 200; k++) runOne(k);
  for (let k = 0; k < REQUESTS; k++) {
    const [wall, busy] = runOne(k + 200);
    times.push(wall);
    cpu.push(busy);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const q = (p: number, xs = times) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(2);
  const load = loadavg()[0].toFixed(1);
  return [
    `### Latency on a 100k-item synthetic catalogue (${data.interactions.length.toLocaleString('en')} events, ${MODEL}; setup incl. fit and indexes ${setup.toFixed(1)} s)`,
    '',
    'Scenario: collaborative (150) + content (100, TF-IDF over title + category) + trending (50), two filter rules (`item.price < 95`, `item.category != \'c7\'`), diversity 0.3, explain=true, n = 10. One request at a time, in process, after 200 warm-up requests.',
    '',
    table(['measure', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], [
      ['wall clock', REQUESTS, q(0.5), q(0.95), q(0.99), times[times.length - 1].toFixed(2)],
      ['CPU time of the process', REQUESTS, q(0.5, cpu), q(0.95, cpu), q(0.99, cpu), cpu[cpu.length - 1].toFixed(2)],
    ]),
    '',
    `Load average during the run: ${load} on ${cpus().length} cores (the machine is shared); wall-clock tails include waiting for a core, CPU time does not (it includes GC).`,
  ].join('\n');
}

const parts: string[] = [];
if (!process.env.BENCH_ONLY_LATENCY) {
  parts.push(await movielens());
  console.log(parts[0]);
}
const lat = process.env.BENCH_SKIP_LATENCY ? '' : latency();
console.log(lat);
parts.push(lat);
if (!process.env.BENCH_SKIP_LATENCY && !process.env.BENCH_ONLY_LATENCY) writeSection('pipeline', 'Recommendation pipeline', 'npm run bench:pipeline', parts.join('\n\n'));
