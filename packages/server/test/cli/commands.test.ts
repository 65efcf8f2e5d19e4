import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateSynthetic, perUserTemporalSplit, type Interaction } from '@attune/engine';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'attune.mjs');
const dir = mkdtempSync(join(tmpdir(), 'attune-cli-'));

function attune(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const tsv = (rows: Interaction[]) => `user_id\titem_id\trating\ttimestamp\n${rows.map((e) => `${e.userId}\t${e.itemId}\t${e.value}\t${Math.floor((e.timestamp as number) / 1000)}`).join('\n')}\n`;

const synth = generateSynthetic({ users: 120, items: 90, clusters: 4, interactionsPerUser: 12, seed: 5 });
const split = perUserTemporalSplit(synth.interactions);
const trainPath = file('train.tsv', tsv(split.train));
const testPath = file('test.tsv', tsv(split.test));

function readTsv(path: string): string[][] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
}

// each spawn transpiles the CLI with tsx (seconds on a busy machine), hence the generous timeouts
describe('attune recommend', { timeout: 180_000 }, () => {
  it('writes the top-N of every user, ranked from 1, without their training items', () => {
    const out = join(dir, 'rec.tsv');
    const r = attune('recommend', '--train', trainPath, '--model', 'popular', '--n', '5', '--out', out);
    expect(r.stderr).not.toMatch(/attune:/);
    expect(r.code).toBe(0);
    const [header, ...rows] = readTsv(out);
    expect(header).toEqual(['user_id', 'item_id', 'rank', 'score']);
    const users = new Set(split.train.map((e) => e.userId));
    expect(rows.length).toBe(users.size * 5);
    const seen = new Set(split.train.map((e) => `${e.userId}|${e.itemId}`));
    for (const [u, i, rank] of rows) {
      expect(seen.has(`${u}|${i}`)).toBe(false);
      expect(Number(rank)).toBeGreaterThanOrEqual(1);
      expect(Number(rank)).toBeLessThanOrEqual(5);
    }
    const first = rows.filter((x) => x[0] === rows[0]?.[0]).map((x) => Number(x[2]));
    expect(first).toEqual([1, 2, 3, 4, 5]);
  });

  it('model=auto tunes on its own validation split and beats nothing-personal on planted data', () => {
    const out = join(dir, 'auto.tsv');
    const r = attune('recommend', '--train', trainPath, '--model', 'auto', '--n', '10', '--out', out, '--budget', '20');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/auto: chose (\S+) .*per-user-temporal split/);
    const chosen = /auto: chose (\S+)/.exec(r.stderr)?.[1];
    expect(chosen).not.toBe('popular');
    // most of each user's list falls in the user's planted cluster
    const rows = readTsv(out).slice(1);
    const inCluster = rows.filter(([u, i]) => synth.userCluster.get(u as string) === synth.itemCluster.get(i as string)).length;
    expect(inCluster / rows.length).toBeGreaterThan(0.6);
  });

  const out = join(dir, 'x.tsv');

  it('rejects an unknown model and bad params', () => {
    const unknown = attune('recommend', '--train', trainPath, '--model', 'nope', '--n', '5', '--out', out);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/--model: unknown model "nope"; known models: .*popular/);

    const badJson = attune('recommend', '--train', trainPath, '--model', 'popular', '--params', '{oops', '--n', '5', '--out', out);
    expect(badJson.code).not.toBe(0);
    expect(badJson.stderr).toMatch(/--params: not valid JSON/);

    const badParam = attune('recommend', '--train', trainPath, '--model', 'popular', '--params', '{"k":3}', '--n', '5', '--out', out);
    expect(badParam.code).not.toBe(0);
    expect(badParam.stderr).toMatch(/--params: model "popular": parameter "k" is unknown/);
  });

  it('names the file, line and field of bad input', () => {
    const missing = file('missing.csv', 'user_id,rating\n1,4\n');
    const m = attune('recommend', '--train', missing, '--model', 'popular', '--n', '5', '--out', out);
    expect(m.code).not.toBe(0);
    expect(m.stderr).toContain(`${missing}:1: field "item_id": missing column`);

    const badNumber = file('bad.tsv', 'user_id\titem_id\trating\n1\t2\t4\n1\t3\tfour\n');
    const b = attune('recommend', '--train', badNumber, '--model', 'popular', '--n', '5', '--out', out);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain(`${badNumber}:3: field "rating": expected a number, got "four"`);

    const empty = file('empty.tsv', '');
    const e = attune('recommend', '--train', empty, '--model', 'popular', '--n', '5', '--out', out);
    expect(e.code).not.toBe(0);
    expect(e.stderr).toContain(`${empty}:1: empty file`);
  });

  it('rejects a non-positive --n', () => {
    const n = attune('recommend', '--train', trainPath, '--model', 'popular', '--n', '0', '--out', out);
    expect(n.stderr).toMatch(/--n: expected a positive integer/);
  });
});

describe('attune evaluate', { timeout: 180_000 }, () => {
  it('prints a metric table, and JSON with --json', () => {
    const table = attune('evaluate', '--train', trainPath, '--test', testPath, '--models', 'popular');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/users evaluated/);
    expect(table.stdout).toMatch(/model\s+P@10\s+R@10\s+NDCG@10/);
    expect(table.stdout).toMatch(/^popular\s+0\.\d{4}/m);

    const json = attune('evaluate', '--train', trainPath, '--test', testPath, '--models', 'popular', '--k', '5', '--json');
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as { k: number; users: number; results: { model: string; metrics: Record<string, number> }[] };
    expect(out.k).toBe(5);
    expect(out.users).toBe(new Set(split.test.map((e) => e.userId)).size);
    const m = out.results[0]?.metrics as Record<string, number>;
    for (const key of ['precision', 'recall', 'ndcg', 'map', 'mrr', 'hitRate', 'coverage']) {
      expect(m[key]).toBeGreaterThanOrEqual(0);
      expect(m[key]).toBeLessThanOrEqual(1);
    }
  });

  it('rejects params for models not listed and unknown models', () => {
    const p = attune('evaluate', '--train', trainPath, '--test', testPath, '--models', 'popular', '--params', '{"ease":{}}');
    expect(p.code).not.toBe(0);
    expect(p.stderr).toMatch(/--params: key "ease" is not one of --models/);
    const u = attune('evaluate', '--train', trainPath, '--test', testPath, '--models', 'popular,zzz');
    expect(u.stderr).toMatch(/--models: unknown model "zzz"/);
  });

  it('--task rating reports RMSE and MAE', () => {
    const r = attune('evaluate', '--train', trainPath, '--test', testPath, '--models', 'baseline', '--task', 'rating', '--json');
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { results: { model: string; rmse: number; mae: number }[] };
    expect(out.results[0]?.model).toBe('baseline');
    expect(out.results[0]?.rmse).toBeGreaterThan(0);
    expect(out.results[0]?.mae).toBeLessThanOrEqual(out.results[0]?.rmse as number);
  });
});
