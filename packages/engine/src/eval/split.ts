import { Rng } from '../data/rng.ts';
import { compareIds } from './order.ts';

/**
 * Train/test splits of interaction lists. Every split keeps rows whole and in input order inside
 * each part, so `train ∪ test` is the input and the two parts are disjoint (by position).
 */
export interface SplitRow {
  userId: string;
  itemId: string;
  /** epoch ms; needed by the temporal splits */
  timestamp?: number;
}

export interface Split<T> {
  train: T[];
  test: T[];
}

export interface PerUserOptions {
  /** fraction of each user's interactions that goes to test (default 0.2) */
  testFraction?: number;
  /** users with fewer interactions stay entirely in train (default 5) */
  minInteractions?: number;
}

/** Orders by (timestamp, item id); rows without a timestamp sort first. */
function byTime<T extends SplitRow>(a: T, b: T): number {
  return (a.timestamp ?? -Infinity) - (b.timestamp ?? -Infinity) || compareIds(a.itemId, b.itemId);
}

function groupByUser<T extends SplitRow>(rows: readonly T[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let p = 0; p < rows.length; p++) {
    const u = (rows[p] as T).userId;
    let g = groups.get(u);
    if (!g) groups.set(u, (g = []));
    g.push(p);
  }
  return groups;
}

function partition<T>(rows: readonly T[], isTest: Uint8Array): Split<T> {
  const train: T[] = [];
  const test: T[] = [];
  for (let p = 0; p < rows.length; p++) (isTest[p] ? test : train).push(rows[p] as T);
  return { train, test };
}

/** P1's count: floor(fraction · n + 0.5) of a user's n interactions go to test. */
export function testCount(n: number, fraction: number): number {
  return Math.floor(fraction * n + 0.5);
}

/**
 * Per-user temporal split (protocol P1): each user's interactions ordered by (timestamp, item id);
 * a user with n ≥ minInteractions gives the last floor(testFraction·n + 0.5) to test.
 */
export function perUserTemporalSplit<T extends SplitRow>(rows: readonly T[], opts: PerUserOptions = {}): Split<T> {
  const fraction = opts.testFraction ?? 0.2;
  const min = opts.minInteractions ?? 5;
  const isTest = new Uint8Array(rows.length);
  for (const positions of groupByUser(rows).values()) {
    if (positions.length < min) continue;
    positions.sort((a, b) => byTime(rows[a] as T, rows[b] as T) || a - b);
    const t = testCount(positions.length, fraction);
    for (let j = positions.length - t; j < positions.length; j++) isTest[positions[j] as number] = 1;
  }
  return partition(rows, isTest);
}

/** Leave-last-n: each user with more than n interactions (and at least minInteractions) gives the latest n to test. */
export function leaveLastNSplit<T extends SplitRow>(rows: readonly T[], n = 1, minInteractions = n + 1): Split<T> {
  const isTest = new Uint8Array(rows.length);
  for (const positions of groupByUser(rows).values()) {
    if (positions.length < Math.max(minInteractions, n + 1)) continue;
    positions.sort((a, b) => byTime(rows[a] as T, rows[b] as T) || a - b);
    for (let j = positions.length - n; j < positions.length; j++) isTest[positions[j] as number] = 1;
  }
  return partition(rows, isTest);
}

/**
 * Global temporal split: all interactions ordered by (timestamp, item id, input position); the
 * latest testFraction of them go to test, so test lies entirely after train in time.
 */
export function globalTemporalSplit<T extends SplitRow>(rows: readonly T[], testFraction = 0.2): Split<T> {
  const order = Array.from({ length: rows.length }, (_, p) => p).sort((a, b) => byTime(rows[a] as T, rows[b] as T) || a - b);
  const t = testCount(rows.length, testFraction);
  const isTest = new Uint8Array(rows.length);
  for (let j = rows.length - t; j < rows.length; j++) isTest[order[j] as number] = 1;
  return partition(rows, isTest);
}

export interface RandomSplitOptions {
  testFraction?: number;
  seed?: number;
  /** split each user's interactions separately (default true), with the P1 count and minimum */
  perUser?: boolean;
  minInteractions?: number;
}

/** Seeded random split: the same seed and input always give the same split. */
export function randomSplit<T extends SplitRow>(rows: readonly T[], opts: RandomSplitOptions = {}): Split<T> {
  const fraction = opts.testFraction ?? 0.2;
  const rng = new Rng(opts.seed ?? 42);
  const isTest = new Uint8Array(rows.length);
  if (opts.perUser === false) {
    const order = rng.shuffle(Array.from({ length: rows.length }, (_, p) => p));
    const t = testCount(rows.length, fraction);
    for (let j = 0; j < t; j++) isTest[order[j] as number] = 1;
  } else {
    const min = opts.minInteractions ?? 5;
    for (const positions of groupByUser(rows).values()) {
      if (positions.length < min) continue;
      rng.shuffle(positions);
      const t = testCount(positions.length, fraction);
      for (let j = 0; j < t; j++) isTest[positions[j] as number] = 1;
    }
  }
  return partition(rows, isTest);
}

/**
 * The validation split `model=auto` carves from training data: per-user temporal when every row
 * has a timestamp (the same rule as P1's test split), seeded per-user random otherwise.
 */
export function validationSplit<T extends SplitRow>(rows: readonly T[], seed = 42): Split<T> & { kind: 'per-user-temporal' | 'random' } {
  const timed = rows.length > 0 && rows.every((r) => r.timestamp !== undefined && Number.isFinite(r.timestamp));
  return timed ? { ...perUserTemporalSplit(rows), kind: 'per-user-temporal' } : { ...randomSplit(rows, { seed }), kind: 'random' };
}
