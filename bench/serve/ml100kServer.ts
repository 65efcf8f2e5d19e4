/**
 * ml-100k through a running server's API, for the profiling tools (recsProfile, recsCompare):
 * the catalogue and every rating as events, then one item-kNN training run awaited. The data set
 * is read from ../shared/datasets beside the repository (research licence: never copied in).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from '../sharedData.ts';

export const ML100K = sharedPath('datasets', 'ml-100k');

export interface Rating {
  user: string;
  item: string;
  rating: number;
  ts: number;
}

/** u.data, oldest first, timestamps in ms. */
export function ml100kRatings(): Rating[] {
  return readFileSync(join(ML100K, 'u.data'), 'utf8')
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((f) => f.length >= 4)
    .map((f) => ({ user: f[0] as string, item: f[1] as string, rating: Number(f[2]), ts: Number(f[3]) * 1000 }))
    .sort((a, b) => a.ts - b.ts);
}

export const usersOf = (rows: readonly Rating[]): string[] => [...new Set(rows.map((r) => r.user))];

// `any`: a few known fields of each response are read
export async function api(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(url + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const json = (await res.json()) as any;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

/** Loads items and ratings into the server at `url` and waits for a training run; returns the ratings. */
export async function loadAndTrain(url: string): Promise<Rating[]> {
  const items = readFileSync(join(ML100K, 'u.item'), 'latin1')
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((l) => ({ id: l.split('|')[0] as string, properties: { title: l.split('|')[1] as string } }));
  await api(url, 'POST', '/v1/items/batch', { items });
  const rows = ml100kRatings();
  for (let k = 0; k < rows.length; k += 1000) await api(url, 'POST', '/v1/events', rows.slice(k, k + 1000).map((r) => ({ type: 'rating', userId: r.user, itemId: r.item, value: r.rating, timestamp: r.ts })));
  const { jobId } = await api(url, 'POST', '/v1/models/train');
  for (;;) {
    const job = await api(url, 'GET', `/v1/models/train/${jobId}`);
    if (job.status === 'succeeded') return rows;
    if (job.status === 'failed') throw new Error(job.error);
    await new Promise((r) => setTimeout(r, 250));
  }
}
